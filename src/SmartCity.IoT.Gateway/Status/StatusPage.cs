using System.Globalization;
using System.Net;
using System.Text;

namespace SmartCity.IoT.Gateway.Status;

/// <summary>
/// The facility manager's page: is data flowing, is it safe, what is alarming, what each device said last.
/// Plain server-rendered HTML that refreshes itself; no script needed except the acknowledge button.
/// </summary>
internal static class StatusPage
{
    public static string Render(StatusSnapshot s)
    {
        var h = new StringBuilder(32 * 1024);
        h.Append("""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
            <meta name="viewport" content="width=device-width, initial-scale=1"><title>SmartCity.IoT gateway</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1d2733;background:#f6f8fa}
            h1{font-size:1.4rem;margin:0 0 .3rem} h2{font-size:1.1rem;margin:1.6rem 0 .5rem}
            .cards{display:flex;flex-wrap:wrap;gap:.7rem}.card{background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:.6rem .9rem;min-width:9rem}
            .card b{display:block;font-size:1.3rem}.ok{color:#1a7f37}.bad{color:#cf222e}.warn{color:#9a6700}
            table{border-collapse:collapse;background:#fff;width:100%;font-size:.9rem}th,td{border:1px solid #d8dee4;padding:.3rem .5rem;text-align:left;vertical-align:top}
            th{background:#eef1f4}.sev-critical{background:#ffebe9}.sev-major{background:#fff1e5}.sev-warning{background:#fff8c5}
            code{font-size:.85rem}.muted{color:#57606a}
            </style></head><body>
            """);
        h.Append("<h1>SmartCity.IoT gateway</h1><div class=\"muted\">").Append(E(s.Generated.ToString("u", CultureInfo.InvariantCulture)))
            .Append(" · up ").Append(E(FormatSpan(s.Uptime))).Append(" · refreshes every 5 s · <a href=\"/api/status\">JSON</a> · <a href=\"/metrics\">metrics</a></div>");

        h.Append("<h2>Flow</h2><div class=\"cards\">");
        foreach (var source in s.Sources)
        {
            SourceCard(h, source, s.Broker.Embedded && source.Endpoint == s.Broker.Endpoint);
        }

        Card(h, "Received", N(s.Pipeline.Received), "", s.Pipeline.LastMessage is { } lm ? "last " + lm.ToString("HH:mm:ss", CultureInfo.InvariantCulture) : "none yet");
        Card(h, "Decoded", N(s.Pipeline.Decoded), "", $"{N(s.Pipeline.FieldsRejected)} fields dropped");
        Card(h, "Rejected", N(s.Pipeline.Rejected), s.Pipeline.Rejected > 0 ? "warn" : "ok", "dead-lettered");
        Card(h, "Acknowledged", N(s.Pipeline.Acknowledged), "", $"{N(s.Pipeline.Batches)} batches");
        Card(h, "Written to InfluxDB", N(s.Store.Written), s.Store.InfluxConfigured ? (s.Store.LastError is null ? "ok" : "bad") : "", s.Store.Target);
        Card(h, "Spool", $"{N(s.Store.SpoolBytes)} B", s.Store.SpoolFull ? "bad" : "", s.Store.SpoolFull ? "FULL: acknowledgements held" : $"of {N(s.Store.SpoolMaxBytes)} B · {N(s.Store.Spooled)} lines spooled, {N(s.Store.Replayed)} replayed");
        if (s.Store.RejectedLines > 0 || s.Store.DroppedByPolicy > 0)
        {
            Card(h, "Lost or rejected", N(s.Store.RejectedLines + s.Store.DroppedByPolicy), "bad", $"{N(s.Store.RejectedLines)} rejected by InfluxDB, {N(s.Store.DroppedByPolicy)} dropped by spool policy");
        }

        h.Append("</div>");
        if (s.Store.Holding is { Length: > 0 } holding)
        {
            h.Append("<p class=\"bad\"><b>InfluxDB refuses writes: </b>").Append(E(holding)).Append("</p>");
        }
        else if (s.Store.LastError is { Length: > 0 } storeError)
        {
            h.Append("<p class=\"warn\">Last InfluxDB error: ").Append(E(storeError)).Append("</p>");
        }

        h.Append("<h2>Active alerts (").Append(s.ActiveAlerts.Count).Append(") · ").Append(s.RuleCount).Append(" rules</h2>");
        foreach (var broken in s.BrokenRules)
        {
            h.Append("<p class=\"bad\"><b>Rule ").Append(E(broken.RuleName)).Append(" is broken</b> (")
                .Append(broken.Failures.ToString("N0", CultureInfo.InvariantCulture)).Append(" failures, first on ").Append(E(broken.FirstDevice))
                .Append("): ").Append(E(broken.FirstError)).Append(". Readings are still stored; fix or remove the rule.</p>");
        }

        if (s.AlertsReadAt != s.Generated)
        {
            h.Append("<p class=\"warn\">The pipeline is busy (see the store above); alerts as of ")
                .Append(E(s.AlertsReadAt?.ToString("HH:mm:ss", CultureInfo.InvariantCulture) ?? "never")).Append(".</p>");
        }

        if (s.ActiveAlerts.Count == 0)
        {
            h.Append("<p class=\"ok\">No active alerts.</p>");
        }
        else
        {
            h.Append("<table><tr><th>Severity</th><th>State</th><th>Rule</th><th>Device</th><th>Since</th><th>Value</th><th>Summary</th><th></th></tr>");
            foreach (var a in s.ActiveAlerts)
            {
                h.Append("<tr class=\"sev-").Append(E(a.Severity)).Append("\"><td>").Append(E(a.Severity)).Append("</td><td>").Append(E(a.State))
                    .Append("</td><td>").Append(E(a.Rule)).Append("</td><td>").Append(E(a.Device)).Append("</td><td>")
                    .Append(E(a.Since.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))).Append("</td><td>").Append(E(V(a.Value)))
                    .Append("</td><td>").Append(E(a.Summary)).Append("</td><td><button onclick=\"ack('").Append(E(a.Fingerprint)).Append("')\">acknowledge</button></td></tr>");
            }

            h.Append("</table>");
        }

        h.Append("<h2>Devices (").Append(s.Devices.Count).Append(")</h2>");
        if (s.Devices.Count == 0)
        {
            h.Append("<p class=\"muted\">No device has reported yet.</p>");
        }
        else
        {
            h.Append("<table><tr><th>Family</th><th>Device</th><th>Profile</th><th>Tags</th><th>Last seen</th><th>Latest values</th></tr>");
            foreach (var d in s.Devices)
            {
                h.Append("<tr><td>").Append(E(d.Family)).Append("</td><td>").Append(E(d.Device)).Append(d.Online ? "" : " <span class=\"bad\">offline</span>")
                    .Append("</td><td><code>").Append(E(d.Profile)).Append("</code></td><td>")
                    .Append(E(string.Join(", ", d.Tags.Where(t => t.Key is not "device" and not "model").Select(t => $"{t.Key}={t.Value}"))))
                    .Append("</td><td>").Append(d.LastSeen is { } seen ? E(seen.ToString("HH:mm:ss", CultureInfo.InvariantCulture)) : "").Append("</td><td>")
                    .Append(E(string.Join(" · ", d.Values.Select(v => $"{v.Field} {v.Text}{(string.IsNullOrEmpty(v.Unit) ? "" : " " + v.Unit)}"))))
                    .Append("</td></tr>");
            }

            h.Append("</table>");
        }

        h.Append("<h2>Dead letters</h2>");
        if (s.RejectedByReason.Count > 0)
        {
            h.Append("<p>").Append(E(string.Join(" · ", s.RejectedByReason.Select(r => $"{r.Key}: {r.Value}")))).Append(" — files in <code>").Append(E(s.DeadLetterPath)).Append("</code></p>");
        }

        if (s.RecentDeadLetters.Count == 0)
        {
            h.Append("<p class=\"ok\">None.</p>");
        }
        else
        {
            h.Append("<table><tr><th>Time</th><th>Topic or source</th><th>Reason</th><th>Detail</th><th>Payload</th></tr>");
            foreach (var r in s.RecentDeadLetters.Take(20))
            {
                var payload = r.Payload.Length > 160 ? r.Payload[..160] + "…" : r.Payload;
                h.Append("<tr><td>").Append(E(r.Time.ToString("HH:mm:ss", CultureInfo.InvariantCulture))).Append("</td><td><code>").Append(E(r.Source))
                    .Append("</code></td><td>").Append(E(r.Reason)).Append("</td><td>").Append(E(r.Detail)).Append("</td><td><code>").Append(E(payload)).Append("</code></td></tr>");
            }

            h.Append("</table>");
        }

        h.Append("""
            <script>
            async function ack(fp){const by=prompt('Acknowledge as (your name):');if(by===null)return;
            const r=await fetch('/api/alerts/'+encodeURIComponent(fp)+'/ack',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({by})});
            alert(r.ok?'Acknowledged':'Failed: '+r.status);}
            </script></body></html>
            """);
        return h.ToString();
    }

    /// <summary>One card per source: its state, where it reads from, its protocol, and its delivery guarantee in plain words.</summary>
    private static void SourceCard(StringBuilder h, SmartCity.IoT.Core.Pipeline.SourceHealth source, bool embedded)
    {
        var note = new StringBuilder(source.Endpoint);
        if (embedded)
        {
            note.Append(" (embedded)");
        }

        if (source.Protocol is { } protocol)
        {
            note.Append(" · MQTT ").Append(protocol);
        }

        note.Append(" · ").Append(N(source.Received)).Append(" received");
        if (source.Retained > 0)
        {
            note.Append(", ").Append(N(source.Retained)).Append(" retained replays");
        }

        if (source.Delivery is { } delivery)
        {
            note.Append(" · ").Append(delivery);
        }

        if (source.LastError is { } error)
        {
            note.Append(" · ").Append(error);
        }

        var cls = !source.Connected ? "bad" : source.ReceivedAtMostOnce > 0 || source.Delivery?.StartsWith("at most once", StringComparison.Ordinal) == true ? "warn" : "ok";
        Card(h, "Source " + source.Name, source.Connected ? "connected" : "disconnected", cls, note.ToString());
    }

    private static void Card(StringBuilder h, string title, string value, string cls, string note) =>
        h.Append("<div class=\"card\">").Append(E(title)).Append("<b class=\"").Append(cls).Append("\">").Append(E(value)).Append("</b><span class=\"muted\">").Append(E(note)).Append("</span></div>");

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string V(double v) => double.IsFinite(v) ? Math.Round(v, 3).ToString(CultureInfo.InvariantCulture) : "";

    private static string FormatSpan(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}h {t.Minutes}m" : $"{t.Minutes}m {t.Seconds}s";
}
