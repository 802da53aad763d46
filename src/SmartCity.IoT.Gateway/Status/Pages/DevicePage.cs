using System.Text;
using SmartCity.IoT.Core.DeadLetters;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Gateway.Status.History;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Gateway.Status.Pages;

/// <summary>One device: where it is, its tags and profile, its alerts, a chart per field with the thresholds of the rules that apply, its recent dead letters.</summary>
internal static class DevicePage
{
    public static string Render(PageRequest request, DeviceState device, IReadOnlyList<string> place, IReadOnlyList<string> levelNames, FieldVocabulary vocabulary, DeviceHistory history,
        IReadOnlyList<RuleDefinition> rules, IReadOnlyList<RuleThreshold> thresholds, IReadOnlyList<AlertEntry> alerts, IReadOnlyList<DeadLetterRecord> deadLetters, StatusOptions options)
    {
        var h = PageLayout.Begin(device.DeviceId, "", request);
        h.Append("<nav aria-label=\"place\" class=\"muted\"><a href=\"/\">Buildings</a>");
        for (var i = 0; i < place.Count; i++)
        {
            h.Append(" › <a href=\"/?open=").Append(Html.Q(string.Join('/', place.Take(i + 1)))).Append("\">").Append(Html.E(place[i])).Append("</a>");
        }

        h.Append("</nav><h1>").Append(Html.E(device.DeviceId)).Append("</h1>");
        var lastSeen = device.LastSeenUnixNs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(device.LastSeenUnixNs / 1_000_000) : (DateTimeOffset?)null;
        var silent = !device.Online || lastSeen is null || request.Now - lastSeen > options.SilentAfter;
        h.Append("<p>").Append(silent ? "<span class=\"bad\">silent</span>" : "<span class=\"ok\">reporting</span>").Append(device.Online ? "" : " (said offline)")
            .Append(" · last seen ").Append(lastSeen is { } seen ? Humanize.TimeBoth(seen, request.Now) : "never").Append(" · ").Append(Humanize.Count(device.Messages)).Append(" messages</p>");

        h.Append("<h2>Alerts</h2>");
        AlertTable.Append(h, alerts, request, showDevice: false);

        h.Append("<h2>History</h2><p class=\"muted\">One point per ").Append(Html.E(Humanize.Span(history.Interval))).Append(" (the latest value then), the last ")
            .Append(Html.E(Humanize.Span(history.Span))).Append(", kept in memory; InfluxDB has every reading. Dashed lines: thresholds of the rules that apply.</p>");
        var fields = history.FieldsOf(device.Index);
        if (fields.Count == 0)
        {
            h.Append("<p class=\"muted\">").Append(device.Index >= history.MaxDevices
                ? $"No history: only the first {Humanize.Count(history.MaxDevices)} devices have one (Status:HistoryMaxDevices)."
                : "No history yet: the first point is taken within one interval.").Append("</p>");
        }

        foreach (var id in fields)
        {
            var field = vocabulary[id];
            SvgChart.Append(h, field, history.Read(device.Index, id), thresholds.Where(t => t.Field == field.Name).ToList(), request.Now);
        }

        h.Append("<h2>Tags</h2><table><tbody>");
        foreach (var (k, v) in device.Tags)
        {
            h.Append("<tr><th scope=\"row\">").Append(Html.E(k)).Append(levelNames.Contains(k) ? " <span class=\"muted\">(place)</span>" : "").Append("</th><td>").Append(Html.E(v)).Append("</td></tr>");
        }

        h.Append("</tbody></table><h2>Profile</h2><table><tbody><tr><th scope=\"row\">Id</th><td><code>").Append(Html.E(device.Profile.Id)).Append("</code></td></tr><tr><th scope=\"row\">Vendor</th><td>")
            .Append(Html.E(device.Profile.Vendor)).Append("</td></tr><tr><th scope=\"row\">Model</th><td>").Append(Html.E(device.Profile.Model)).Append("</td></tr><tr><th scope=\"row\">Family</th><td>")
            .Append(Html.E(device.Profile.Family)).Append("</td></tr></tbody></table>");

        h.Append("<h2>Rules that apply (").Append(rules.Count).Append(")</h2>");
        if (rules.Count == 0)
        {
            h.Append("<p class=\"muted\">None.</p>");
        }
        else
        {
            h.Append("<ul>");
            foreach (var r in rules)
            {
                h.Append("<li><b>").Append(Html.E(r.Name)).Append("</b> <span class=\"muted\">").Append(Html.E(string.Join(" · ", r.Levels.Select(l => $"{l.Severity.ToString().ToLowerInvariant()}: {l.Expression}"))))
                    .Append(r.Kind == RuleKind.Staleness ? "silent for " + Html.E(Humanize.Span(r.After)) : "").Append("</span></li>");
            }

            h.Append("</ul>");
        }

        h.Append("<h2>Recent dead letters</h2>");
        if (deadLetters.Count == 0)
        {
            h.Append("<p class=\"ok\">None among the last ").Append(DeadLetterStore.RecentCapacity).Append(" the gateway keeps in memory.</p>");
        }
        else
        {
            FlowPage.DeadLetterTable(h, deadLetters, request);
        }

        return PageLayout.End(h, refresh: true);
    }

    public static string NotFound(PageRequest request, string profile, string id)
    {
        var h = PageLayout.Begin("Unknown device", "", request);
        h.Append("<h1>Unknown device</h1><p>The gateway has no device <code>").Append(Html.E(id)).Append("</code> of profile <code>").Append(Html.E(profile))
            .Append("</code> (devices appear once they report). <a href=\"/?q=").Append(Html.Q(id)).Append("\">Search for it</a>.</p>");
        return PageLayout.End(h, refresh: true);
    }
}
