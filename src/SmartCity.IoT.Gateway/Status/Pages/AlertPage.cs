using System.Text;
using SmartCity.IoT.Alerts;
using SmartCity.IoT.Alerts.Outbox;

namespace SmartCity.IoT.Gateway.Status.Pages;

/// <summary>
/// <c>/alerts/{fingerprint}</c>, the link in every webhook: the alert's state, acknowledgement, silences, inhibition,
/// its timeline of transitions with values, and every notification sent about it with its delivery outcome.
/// </summary>
internal static class AlertPage
{
    public static string Render(PageRequest request, AlertEntry alert, IReadOnlyList<AlertTransition> timeline, IReadOnlyList<DeliveryRecord> deliveries, IReadOnlyList<Silence> silences)
    {
        var h = PageLayout.Begin(alert.Rule + " on " + alert.DeviceId, "/alerts", request);
        var view = alert.Outbox;
        h.Append("<nav class=\"muted\" aria-label=\"breadcrumb\"><a href=\"/alerts\">Alerts</a> › ").Append(Html.E(alert.Fingerprint)).Append("</nav>")
            .Append("<h1 class=\"sev-").Append(alert.SeverityName).Append("\"><span class=\"dot dot-").Append(alert.SeverityName).Append("\" aria-hidden=\"true\"></span>")
            .Append(Html.E(alert.Rule)).Append(" on <a href=\"").Append(Html.DeviceHref(alert.ProfileId, alert.DeviceId)).Append("\">").Append(Html.E(alert.DeviceId)).Append("</a></h1>")
            .Append("<p><b class=\"alert-state\">").Append(Html.E(alert.State)).Append("</b> · ").Append(alert.SeverityName).Append(" · since ").Append(Humanize.TimeBoth(alert.Since, request.Now))
            .Append(" · value ").Append(Html.E(alert.Value)).Append(' ');
        AlertBadges.Append(h, alert, request.Now);
        h.Append("</p>");
        if (alert.Summary.Length > 0)
        {
            h.Append("<p>").Append(Html.E(alert.Summary)).Append("</p>");
        }

        if (alert.Flapping)
        {
            var started = timeline.LastOrDefault(t => t.Status == "firing" && t.At >= alert.Since.AddSeconds(-1)) ?? timeline.FirstOrDefault(t => t.Status == "firing");
            h.Append("<p class=\"warn\" id=\"flapping\"><b>Flapping:</b> the condition changed too often, so the alert is held firing instead of resolving and firing again")
                .Append(started is { } s ? $"; it fired at value {Html.E(s.ValueText ?? (s.Value is { } v ? Humanize.Number(v) : "–"))} ({Humanize.Time(s.At, request.Now)})" : "")
                .Append(alert.FlappingNote is { Length: > 0 } note ? ". " + Html.E(note) : "").Append(".</p>");
        }

        h.Append("<h2>Acknowledgement</h2>");
        if (view is null)
        {
            h.Append("<p class=\"muted\">Not in the alert outbox yet (pending alerts are only in the rule engine until they fire).</p>");
        }
        else if (view.Acknowledged)
        {
            h.Append("<p class=\"ack-state\">Acknowledged by <b>").Append(Html.E(view.AcknowledgedBy)).Append("</b> ")
                .Append(view.AcknowledgedAt is { } at ? Humanize.TimeBoth(at, request.Now) : "")
                .Append(view.AcknowledgeComment is { Length: > 0 } c ? ": “" + Html.E(c) + "”" : "").Append(". Repeats stop; the resolve is still sent.</p>");
            h.ButtonForm(request, Html.AlertHref(alert.Fingerprint) + "/unacknowledge", "Withdraw acknowledgement", request.PathAndQuery);
        }
        else if (view.Status != "resolved")
        {
            h.Append("<p>Not acknowledged. </p>");
            AlertTable.AcknowledgeForm(h, request, alert.Fingerprint, compact: false);
        }
        else
        {
            h.Append("<p class=\"muted\">Resolved ").Append(view.EndsAt is { } e ? Humanize.TimeBoth(e, request.Now) : "").Append(".</p>");
        }

        h.Append("<h2>Silences</h2>");
        if (silences.Count == 0)
        {
            h.Append("<p class=\"muted\">No active silence covers this alert.</p>");
        }
        else
        {
            SilencesPage.Table(h, silences, request, null);
        }

        if (view is not null && view.Status != "resolved")
        {
            SilenceForm.Append(h, request, [$"alertname=\"{alert.Rule}\"", $"device=\"{alert.DeviceId}\""], "Silence this alert");
        }

        h.Append("<h2>Inhibition</h2>").Append(view?.InhibitedBy is { } by
            ? $"<p>Inhibited by <a href=\"{Html.AlertHref(by)}\">{Html.E(by)}</a> (an inhibit rule: while that alert fires, this one is not sent).</p>"
            : "<p class=\"muted\">Not inhibited.</p>");

        h.Append("<h2>Timeline</h2>");
        if (timeline.Count == 0)
        {
            h.Append("<p class=\"muted\">No transition recorded yet.</p>");
        }
        else
        {
            h.Append("<table class=\"timeline\"><thead><tr><th>When</th><th>Transition</th><th>Severity</th><th>Value</th></tr></thead><tbody>");
            foreach (var t in timeline.Reverse())
            {
                h.Append("<tr class=\"sev-").Append(t.Status == "resolved" ? "none" : Html.E(t.Severity)).Append("\"><td>").Append(Humanize.TimeBoth(t.At, request.Now)).Append("</td><td>")
                    .Append(Html.E(t.Status)).Append("</td><td>").Append(Html.E(t.Severity)).Append("</td><td>").Append(Html.E(t.ValueText ?? (t.Value is { } v ? Humanize.Number(v) : "–")))
                    .Append("</td></tr>");
            }

            h.Append("</tbody></table>");
        }

        h.Append("<h2>Notifications</h2>");
        if (deliveries.Count == 0)
        {
            h.Append("<p class=\"muted\">No notification about this alert (no endpoint matched, it was silenced or inhibited, or it is still in its group wait).</p>");
        }
        else
        {
            h.Append("<table class=\"deliveries\"><thead><tr><th>When</th><th>Endpoint</th><th>Notification</th><th>About</th><th>Outcome</th><th>Attempt</th><th>Detail</th></tr></thead><tbody>");
            foreach (var d in deliveries.Reverse())
            {
                var cls = d.Outcome switch { DeliveryRecord.Delivered => "ok", DeliveryRecord.DeadLettered => "bad", DeliveryRecord.Failed => "warn", _ => "" };
                h.Append("<tr><td>").Append(Humanize.TimeBoth(d.At, request.Now)).Append("</td><td><a href=\"/webhooks\">").Append(Html.E(d.Endpoint)).Append("</a></td><td><code>")
                    .Append(d.NotificationId).Append(" · ").Append(Html.E(d.WebhookId)).Append("</code></td><td>").Append(Html.E(d.Status)).Append("</td><td class=\"").Append(cls).Append("\">")
                    .Append(Html.E(d.Outcome)).Append("</td><td>").Append(d.Attempt).Append("</td><td>").Append(Html.E(d.Detail)).Append("</td></tr>");
            }

            h.Append("</tbody></table>");
        }

        if (view is not null)
        {
            h.Append("<h2>Labels</h2><p>");
            foreach (var (k, v) in view.Labels)
            {
                h.Append("<code>").Append(Html.E(k)).Append("=\"").Append(Html.E(v)).Append("\"</code> ");
            }

            h.Append("</p>");
        }

        return PageLayout.End(h, refresh: true);
    }

    public static string NotFound(PageRequest request, string fingerprint)
    {
        var h = PageLayout.Begin("Unknown alert", "/alerts", request);
        h.Append("<h1>Unknown alert</h1><p>No alert with fingerprint <code>").Append(Html.E(fingerprint))
            .Append("</code>: it may have resolved long ago and been pruned (Alerts:ResolvedRetention). <a href=\"/alerts\">All alerts</a>.</p>");
        return PageLayout.End(h, refresh: true);
    }
}
