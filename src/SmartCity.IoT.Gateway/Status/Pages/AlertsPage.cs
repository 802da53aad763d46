using SmartCity.IoT.Alerts;

namespace SmartCity.IoT.Gateway.Status.Pages;

/// <summary><c>/alerts</c>: the active alerts with their states, then the history of every alert the outbox remembers.</summary>
internal static class AlertsPage
{
    public const int HistoryShown = 200;

    public static string Render(PageRequest request, IReadOnlyList<AlertEntry> active, IReadOnlyList<AlertView> history, int ruleCount, HomeBanners banners)
    {
        var h = PageLayout.Begin("Alerts", "/alerts", request);
        h.Append("<h1>Alerts</h1>");
        banners.Append(h, request);
        h.Append("<h2>Active (").Append(Humanize.Count(active.Count)).Append(") · ").Append(ruleCount).Append(" rules</h2>");
        AlertTable.Append(h, active, request);

        h.Append("<h2>History</h2><p class=\"muted\">Every alert the outbox remembers, latest change first (resolved ones are kept for Alerts:ResolvedRetention).</p>");
        if (history.Count == 0)
        {
            h.Append("<p class=\"muted\">No alert yet.</p>");
            return PageLayout.End(h, refresh: true);
        }

        h.Append("<table class=\"history\"><thead><tr><th>Changed</th><th>Alert</th><th>Device</th><th>Severity</th><th>Status</th><th>Started</th><th>Ended</th><th>Value</th><th>State</th></tr></thead><tbody>");
        foreach (var a in history.OrderByDescending(a => a.ChangedAt).Take(HistoryShown))
        {
            var entry = AlertEntry.FromOutbox(a);
            h.Append("<tr class=\"sev-").Append(a.Status == "resolved" ? "none" : Html.E(a.Severity)).Append("\"><td>").Append(Humanize.Time(a.ChangedAt, request.Now)).Append("</td><td><a href=\"")
                .Append(Html.AlertHref(a.Fingerprint)).Append("\">").Append(Html.E(a.Rule)).Append("</a></td><td><a href=\"").Append(Html.DeviceHref(a.ProfileId, a.Device)).Append("\">")
                .Append(Html.E(a.Device)).Append("</a></td><td>").Append(Html.E(a.Severity)).Append("</td><td>").Append(Html.E(a.Status)).Append("</td><td>").Append(Humanize.Time(a.StartsAt, request.Now))
                .Append("</td><td>").Append(a.EndsAt is { } e ? Humanize.Time(e, request.Now) : "").Append("</td><td>").Append(Html.E(entry.Value)).Append("</td><td>");
            AlertBadges.Append(h, entry, request.Now);
            h.Append("</td></tr>");
        }

        h.Append("</tbody></table>");
        if (history.Count > HistoryShown)
        {
            h.Append("<p class=\"muted\">").Append(Humanize.Count(history.Count - HistoryShown)).Append(" older alerts not shown; <a href=\"/api/alerts\">all as JSON</a>.</p>");
        }

        return PageLayout.End(h, refresh: true);
    }
}
