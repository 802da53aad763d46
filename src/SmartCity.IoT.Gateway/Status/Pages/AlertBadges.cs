using System.Text;

namespace SmartCity.IoT.Gateway.Status.Pages;

/// <summary>The states an alert is in, as small labels wherever it appears: acknowledged by whom, silenced, inhibited, flapping.</summary>
internal static class AlertBadges
{
    public static StringBuilder Append(StringBuilder h, AlertEntry a, DateTimeOffset now)
    {
        if (a.Outbox is { Acknowledged: true } acked)
        {
            h.Append("<span class=\"badge badge-acked\">acknowledged by ").Append(Html.E(acked.AcknowledgedBy))
                .Append(acked.AcknowledgedAt is { } at ? " " + Humanize.Time(at, now) : "").Append("</span>");
        }

        if (a.Outbox is { Silenced: true })
        {
            h.Append("<span class=\"badge badge-silenced\">silenced</span>");
        }

        if (a.Outbox?.InhibitedBy is { } by)
        {
            h.Append("<a class=\"badge badge-inhibited\" href=\"").Append(Html.AlertHref(by)).Append("\">inhibited</a>");
        }

        if (a.Flapping)
        {
            h.Append("<span class=\"badge badge-flapping\" title=\"").Append(Html.E(a.FlappingNote ?? "held firing while it flaps")).Append("\">flapping: held firing</span>");
        }

        return h;
    }
}
