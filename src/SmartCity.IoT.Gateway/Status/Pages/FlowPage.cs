using System.Text;
using SmartCity.IoT.Core.DeadLetters;

namespace SmartCity.IoT.Gateway.Status.Pages;

/// <summary><c>/flow</c>: is data flowing and safe: sources, pipeline counters, InfluxDB and the spool, and both kinds of dead letters.</summary>
internal static class FlowPage
{
    public static string Render(PageRequest request, StatusSnapshot s, long webhookDeadLetters, long webhookPending)
    {
        var h = PageLayout.Begin("Data flow", "/flow", request);
        h.Append("<h1>Data flow</h1><div class=\"muted\">up ").Append(Html.E(Humanize.Span(s.Uptime))).Append(" · <a href=\"/api/status\">JSON</a> · <a href=\"/metrics\">metrics</a></div>");
        h.Append("<h2>Sources and pipeline</h2><div class=\"cards\">");
        SourcesCard.Append(h, s);
        Card(h, "Received", Humanize.Count(s.Pipeline.Received), "", s.Pipeline.LastMessage is { } lm ? "last " + Humanize.Relative(lm, request.Now) : "none yet");
        Card(h, "Decoded", Humanize.Count(s.Pipeline.Decoded), "", $"{Humanize.Count(s.Pipeline.FieldsRejected)} fields dropped");
        Card(h, "Rejected", Humanize.Count(s.Pipeline.Rejected), s.Pipeline.Rejected > 0 ? "warn" : "ok", "dead-lettered");
        Card(h, "Acknowledged", Humanize.Count(s.Pipeline.Acknowledged), "", $"{Humanize.Count(s.Pipeline.Batches)} batches");
        h.Append("</div><h2>Storage</h2><div class=\"cards\">");
        Card(h, "Written to InfluxDB", Humanize.Count(s.Store.Written), s.Store.InfluxConfigured ? (s.Store.LastError is null ? "ok" : "bad") : "", s.Store.Target);
        Card(h, "Spool", Humanize.Bytes(s.Store.SpoolBytes), s.Store.SpoolFull ? "bad" : "", s.Store.SpoolFull
            ? "FULL: acknowledgements held"
            : $"of {Humanize.Bytes(s.Store.SpoolMaxBytes)} · {Humanize.Count(s.Store.Spooled)} lines spooled, {Humanize.Count(s.Store.Replayed)} replayed");
        if (s.Store.RejectedLines > 0 || s.Store.DroppedByPolicy > 0)
        {
            Card(h, "Lost or rejected", Humanize.Count(s.Store.RejectedLines + s.Store.DroppedByPolicy), "bad",
                $"{Humanize.Count(s.Store.RejectedLines)} rejected by InfluxDB, {Humanize.Count(s.Store.DroppedByPolicy)} dropped by spool policy");
        }

        Card(h, "Webhooks", Humanize.Count(webhookPending), webhookDeadLetters > 0 ? "bad" : "ok", $"pending · {Humanize.Count(webhookDeadLetters)} dead-lettered");
        h.Append("</div>");
        if (s.Store.Holding is { Length: > 0 } holding)
        {
            h.Append("<p class=\"bad\"><b>InfluxDB refuses writes: </b>").Append(Html.E(holding)).Append("</p>");
        }
        else if (s.Store.LastError is { Length: > 0 } storeError)
        {
            h.Append("<p class=\"warn\">Last InfluxDB error: ").Append(Html.E(storeError)).Append("</p>");
        }

        h.Append("<h2>Dead letters</h2><h3>Messages and lines</h3>");
        if (s.RejectedByReason.Count > 0)
        {
            h.Append("<p>").Append(Html.E(string.Join(" · ", s.RejectedByReason.Select(r => $"{r.Key}: {Humanize.Count(r.Value)}")))).Append(" — files in <code>").Append(Html.E(s.DeadLetterPath)).Append("</code></p>");
        }

        if (s.RecentDeadLetters.Count == 0)
        {
            h.Append("<p class=\"ok\">No message or line dead-lettered.</p>");
        }
        else
        {
            DeadLetterTable(h, s.RecentDeadLetters.Take(20).ToList(), request);
        }

        h.Append("<h3>Webhook notifications</h3>").Append(webhookDeadLetters == 0
            ? "<p class=\"ok\">No webhook notification dead-lettered.</p>"
            : $"<p class=\"bad\">{Humanize.Count(webhookDeadLetters)} webhook notification(s) dead-lettered: <a href=\"/webhooks#dead-letters\">see and retry them</a>.</p>");
        return PageLayout.End(h, refresh: true);
    }

    public static void DeadLetterTable(StringBuilder h, IReadOnlyList<DeadLetterRecord> records, PageRequest request)
    {
        h.Append("<table><thead><tr><th>Time</th><th>Topic or source</th><th>Reason</th><th>Detail</th><th>Payload</th></tr></thead><tbody>");
        foreach (var r in records)
        {
            var payload = r.Payload.Length > 160 ? r.Payload[..160] + "…" : r.Payload;
            h.Append("<tr><td>").Append(Humanize.Time(r.Time, request.Now)).Append("</td><td><code>").Append(Html.E(r.Source)).Append("</code></td><td>").Append(Html.E(r.Reason))
                .Append("</td><td>").Append(Html.E(r.Detail)).Append("</td><td><code>").Append(Html.E(payload)).Append("</code></td></tr>");
        }

        h.Append("</tbody></table>");
    }

    public static void Card(StringBuilder h, string title, string value, string cls, string note) =>
        h.Append("<div class=\"card\">").Append(Html.E(title)).Append("<b class=\"").Append(cls).Append("\">").Append(Html.E(value)).Append("</b><span class=\"muted\">").Append(Html.E(note)).Append("</span></div>");
}
