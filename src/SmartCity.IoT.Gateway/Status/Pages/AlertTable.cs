using System.Text;

namespace SmartCity.IoT.Gateway.Status.Pages;

/// <summary>A table of alerts with their states and an acknowledge button; used by the building view, the alerts page and device pages.</summary>
internal static class AlertTable
{
    public static StringBuilder Append(StringBuilder h, IReadOnlyList<AlertEntry> alerts, PageRequest request, bool showDevice = true, int limit = int.MaxValue)
    {
        if (alerts.Count == 0)
        {
            return h.Append("<p class=\"ok\">No active alerts.</p>");
        }

        h.Append("<table class=\"alerts\"><thead><tr><th>Severity</th><th>Alert</th>").Append(showDevice ? "<th>Device</th>" : "")
            .Append("<th>Since</th><th>Value</th><th>Summary</th><th>State</th><th></th></tr></thead><tbody>");
        foreach (var a in alerts.Take(limit))
        {
            h.Append("<tr class=\"sev-").Append(a.SeverityName).Append("\" data-fingerprint=\"").Append(Html.E(a.Fingerprint)).Append("\"><td><span class=\"dot dot-")
                .Append(a.SeverityName).Append("\"></span>").Append(a.SeverityName).Append("</td><td><a href=\"").Append(Html.AlertHref(a.Fingerprint)).Append("\">")
                .Append(Html.E(a.Rule)).Append("</a></td>");
            if (showDevice)
            {
                h.Append("<td><a href=\"").Append(Html.DeviceHref(a.ProfileId, a.DeviceId)).Append("\">").Append(Html.E(a.DeviceId)).Append("</a></td>");
            }

            h.Append("<td>").Append(Humanize.Time(a.Since, request.Now)).Append("</td><td>").Append(Html.E(a.Value)).Append("</td><td>").Append(Html.E(a.Summary))
                .Append("</td><td>").Append(Html.E(a.State)).Append(' ');
            AlertBadges.Append(h, a, request.Now);
            h.Append("</td><td>");
            if (a.Outbox is { Acknowledged: false } && a.State != "resolved")
            {
                AcknowledgeForm(h, request, a.Fingerprint, compact: true);
            }

            h.Append("</td></tr>");
        }

        h.Append("</tbody></table>");
        if (alerts.Count > limit)
        {
            h.Append("<p><a href=\"/alerts\">All ").Append(Humanize.Count(alerts.Count)).Append(" active alerts</a></p>");
        }

        return h;
    }

    /// <summary>Acknowledge (as the signed-in user, with a note when not compact); posts to the page's form handler, which calls the alert service.</summary>
    public static StringBuilder AcknowledgeForm(StringBuilder h, PageRequest request, string fingerprint, bool compact)
    {
        h.Append("<form method=\"post\" class=\"inline ack\" action=\"").Append(Html.AlertHref(fingerprint)).Append("/acknowledge\">").Antiforgery(request)
            .Append("<input type=\"hidden\" name=\"back\" value=\"").Append(Html.E(request.PathAndQuery)).Append("\">");
        if (!compact)
        {
            h.Append("<label>note <input name=\"comment\" size=\"24\" aria-label=\"note\"></label> ");
        }

        return h.Append("<button type=\"submit\">Acknowledge</button></form>");
    }
}
