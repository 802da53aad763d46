using SmartCity.IoT.Alerts;
using SmartCity.IoT.Alerts.Outbox;

namespace SmartCity.IoT.Gateway.Status.Pages;

/// <summary><c>/webhooks</c>: each endpoint's state (enabled, breaker, last success and failure), pending notifications, dead letters with a retry button.</summary>
internal static class WebhooksPage
{
    public static string Render(PageRequest request, IReadOnlyList<EndpointView> endpoints, IReadOnlyList<OutboxNotification> pending, IReadOnlyList<DeadLetter> deadLetters)
    {
        var h = PageLayout.Begin("Webhooks", "/webhooks", request);
        h.Append("<h1>Webhooks</h1>");
        if (endpoints.Count == 0)
        {
            h.Append("<p class=\"muted\">No webhook endpoint is configured (section <code>Webhooks</code>): alerts show here but are not sent anywhere.</p>");
        }
        else
        {
            h.Append("<table class=\"endpoints\"><thead><tr><th>Endpoint</th><th>State</th><th>Last success</th><th>Last failure</th><th>Pending</th><th>Dead letters</th></tr></thead><tbody>");
            foreach (var e in endpoints)
            {
                h.Append("<tr data-endpoint=\"").Append(Html.E(e.Name)).Append("\"><td><b>").Append(Html.E(e.Name)).Append("</b><br><code>").Append(Html.E(e.Url)).Append("</code><br><span class=\"muted\">")
                    .Append(Html.E(e.Format)).Append(", from ").Append(Html.E(e.MinSeverity)).Append("</span>")
                    .Append(e.Signing == EndpointView.Unsigned ? "<br><span class=\"warn\" data-signing=\"unsigned\">unsigned</span> <span class=\"muted\">(Signing: none)</span>" : "<br><span class=\"muted\" data-signing=\"signed\">signed</span>")
                    .Append("</td><td>");
                if (e.Disabled)
                {
                    h.Append("<span class=\"bad\">disabled</span> ").Append(e.DisabledAt is { } at ? Humanize.Time(at, request.Now) : "").Append(": ").Append(Html.E(e.DisabledReason)).Append(' ');
                    h.ButtonForm(request, "/webhooks/" + Html.Q(e.Name) + "/enable", "Enable", request.PathAndQuery);
                }
                else if (e.CircuitOpenUntil is { } until)
                {
                    h.Append("<span class=\"warn\">breaker open</span>: no attempt until ").Append(Humanize.Time(until, request.Now));
                }
                else
                {
                    h.Append("<span class=\"ok\">enabled</span>");
                }

                h.Append("</td><td>").Append(e.LastSuccessAt is { } ok ? Humanize.Time(ok, request.Now) : "never").Append("</td><td>")
                    .Append(e.LastFailureAt is { } bad ? Humanize.Time(bad, request.Now) + ": " + Html.E(e.LastFailure) : "never").Append("</td><td>").Append(e.Pending)
                    .Append("</td><td>").Append(e.DeadLetters > 0 ? $"<span class=\"bad\">{e.DeadLetters}</span>" : "0").Append("</td></tr>");
            }

            h.Append("</tbody></table>");
        }

        h.Append("<h2>Pending notifications (").Append(pending.Count).Append(")</h2>");
        if (pending.Count == 0)
        {
            h.Append("<p class=\"ok\">None waiting.</p>");
        }
        else
        {
            h.Append("<table class=\"pending\"><thead><tr><th>Id</th><th>Endpoint</th><th>About</th><th>Queued</th><th>Attempts</th><th>Next attempt</th><th>Last error</th><th>Alerts</th></tr></thead><tbody>");
            foreach (var n in pending)
            {
                h.Append("<tr><td>").Append(n.Id).Append("</td><td>").Append(Html.E(n.Endpoint)).Append("</td><td>").Append(Html.E(n.Status)).Append("</td><td>").Append(Humanize.Time(n.CreatedAt, request.Now))
                    .Append("</td><td>").Append(n.Attempts).Append("</td><td>").Append(Humanize.Time(n.NextAttemptAt, request.Now)).Append("</td><td>").Append(Html.E(n.LastError)).Append("</td><td>");
                Fingerprints(h, n.Fingerprints);
                h.Append("</td></tr>");
            }

            h.Append("</tbody></table>");
        }

        h.Append("<h2 id=\"dead-letters\">Webhook dead letters (").Append(deadLetters.Count).Append(")</h2>");
        if (deadLetters.Count == 0)
        {
            h.Append("<p class=\"ok\">None.</p>");
        }
        else
        {
            h.Append("<p class=\"muted\">Notifications that will not be attempted again until retried (same webhook-id, so receivers can de-duplicate).</p>")
                .Append("<table class=\"dead-letters\"><thead><tr><th>Id</th><th>Endpoint</th><th>About</th><th>Dead since</th><th>Attempts</th><th>Reason</th><th>Alerts</th><th></th></tr></thead><tbody>");
            foreach (var d in deadLetters)
            {
                h.Append("<tr data-dead-letter=\"").Append(d.Id).Append("\"><td>").Append(d.Id).Append("</td><td>").Append(Html.E(d.Endpoint)).Append("</td><td>").Append(Html.E(d.Status)).Append("</td><td>")
                    .Append(Humanize.Time(d.DeadAt, request.Now)).Append("</td><td>").Append(d.Attempts).Append("</td><td>").Append(Html.E(d.Reason)).Append("</td><td>");
                Fingerprints(h, d.Fingerprints);
                h.Append("</td><td>");
                h.ButtonForm(request, "/dead-letters/" + d.Id + "/retry", "Retry", request.PathAndQuery);
                h.Append("</td></tr>");
            }

            h.Append("</tbody></table>");
        }

        return PageLayout.End(h, refresh: true);
    }

    private static void Fingerprints(System.Text.StringBuilder h, IReadOnlyList<string> fingerprints)
    {
        foreach (var fp in fingerprints)
        {
            h.Append("<a href=\"").Append(Html.AlertHref(fp)).Append("\"><code>").Append(Html.E(fp)).Append("</code></a> ");
        }
    }
}
