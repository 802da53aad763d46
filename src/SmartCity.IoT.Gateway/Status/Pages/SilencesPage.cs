using System.Text;
using SmartCity.IoT.Alerts;
using SmartCity.IoT.Alerts.Outbox;

namespace SmartCity.IoT.Gateway.Status.Pages;

/// <summary><c>/silences</c>: create a silence from matchers, list them (active first) with what they cover, expire them.</summary>
internal static class SilencesPage
{
    public static string Render(PageRequest request, IReadOnlyList<Silence> silences, IReadOnlyList<AlertView> alerts)
    {
        var h = PageLayout.Begin("Silences", "/silences", request);
        h.Append("<h1>Silences</h1><p class=\"muted\">While a silence is active, alerts matching all its matchers are not sent; they still show here, marked silenced.</p>");
        SilenceForm.Append(h, request, [], "New silence");
        var covered = silences.ToDictionary(s => s.Id, s => alerts.Count(a => a.SilencedBy.Contains(s.Id)), StringComparer.Ordinal);
        var active = silences.Where(s => s.IsActive(request.Now) || s.StartsAt > request.Now).ToList();
        h.Append("<h2>Active and upcoming (").Append(active.Count).Append(")</h2>");
        if (active.Count == 0)
        {
            h.Append("<p class=\"muted\">None.</p>");
        }
        else
        {
            Table(h, active, request, covered);
        }

        var expired = silences.Where(s => s.EndsAt <= request.Now).Take(50).ToList();
        h.Append("<h2>Expired (").Append(expired.Count).Append(')').Append("</h2>");
        if (expired.Count > 0)
        {
            Table(h, expired, request, null);
        }

        return PageLayout.End(h);
    }

    /// <param name="covered">Per silence id, how many alerts it covers now (null: not shown).</param>
    public static void Table(StringBuilder h, IReadOnlyList<Silence> silences, PageRequest request, IReadOnlyDictionary<string, int>? covered)
    {
        h.Append("<table class=\"silences\"><thead><tr><th>Matchers</th><th>From</th><th>Until</th><th>By</th><th>Why</th>").Append(covered is null ? "" : "<th>Covers</th>")
            .Append("<th></th></tr></thead><tbody>");
        foreach (var s in silences)
        {
            var live = s.EndsAt > request.Now;
            h.Append("<tr data-silence=\"").Append(Html.E(s.Id)).Append("\"").Append(live ? "" : " class=\"muted\"").Append("><td>");
            foreach (var m in s.Matchers)
            {
                h.Append("<code>").Append(Html.E(m)).Append("</code> ");
            }

            h.Append("</td><td>").Append(Humanize.Time(s.StartsAt, request.Now)).Append("</td><td>").Append(Humanize.Time(s.EndsAt, request.Now)).Append("</td><td>").Append(Html.E(s.CreatedBy))
                .Append("</td><td>").Append(Html.E(s.Comment)).Append("</td>");
            if (covered is not null)
            {
                h.Append("<td>").Append(covered.GetValueOrDefault(s.Id)).Append(" alerts</td>");
            }

            h.Append("<td>");
            if (live)
            {
                h.ButtonForm(request, "/silences/" + Html.Q(s.Id) + "/expire", "Expire now", request.PathAndQuery);
            }

            h.Append("</td></tr>");
        }

        h.Append("</tbody></table>");
    }
}
