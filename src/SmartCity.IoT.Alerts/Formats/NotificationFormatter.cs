using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SmartCity.IoT.Alerts.Options;
using SmartCity.IoT.Alerts.Outbox;
using SmartCity.IoT.Alerts.Routing;
using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts.Formats;

/// <summary>Renders a <see cref="GroupNotification"/> in an endpoint's format. Bodies are rendered once, stored, and sent byte-identical on every attempt.</summary>
internal static partial class NotificationFormatter
{
    public const string JsonContentType = "application/json";

    public const string DefaultTemplate = "[{{status}}] {{severity}} {{rule}} on {{device}} ({{building}}/{{floor}}): {{summary}} {{url}}";

    public static byte[] Format(WebhookFormat format, GroupNotification n, string? template = null, string textProperty = "text") => format switch
    {
        WebhookFormat.Alertmanager => Alertmanager(n),
        WebhookFormat.Text => Text(n, template ?? DefaultTemplate, textProperty),
        _ => Native(n),
    };

    /// <summary>Our format, version 1: one entry per alert with rule, device, building/floor, value and acknowledgement.</summary>
    public static byte[] Native(GroupNotification n)
    {
        return Write(w =>
        {
            w.WriteString("version", "1");
            w.WriteString("receiver", n.Receiver);
            w.WriteString("status", n.Status);
            w.WriteString("groupKey", n.GroupKey);
            WriteMap(w, "groupLabels", n.GroupLabels);
            w.WriteString("externalUrl", n.ExternalUrl);
            w.WriteNumber("truncatedAlerts", n.TruncatedAlerts);
            w.WriteStartArray("alerts");
            foreach (var t in n.Alerts)
            {
                var a = t.Alert;
                w.WriteStartObject();
                w.WriteString("fingerprint", a.Fingerprint);
                w.WriteString("rule", a.RuleName);
                w.WriteString("status", StatusName(a.Status));
                w.WriteString("severity", SeverityName(a.Severity));
                if (double.IsFinite(a.Value))
                {
                    w.WriteNumber("value", a.Value);
                }
                else
                {
                    w.WriteNull("value");
                }

                if (a.ValueText is { } text)
                {
                    w.WriteString("valueText", text); // an enum or boolean field's value by name ("fault", "true")
                }

                w.WriteString("device", a.DeviceId);
                w.WriteString("family", a.Family);
                w.WriteString("profile", a.ProfileId);
                WriteOptional(w, "building", a.Labels.GetValueOrDefault("building"));
                WriteOptional(w, "floor", a.Labels.GetValueOrDefault("floor"));
                WriteMap(w, "labels", a.Labels);
                WriteMap(w, "annotations", a.Annotations);
                w.WriteString("startsAt", Time(a.StartsAt));
                WriteOptional(w, "endsAt", a.EndsAt is { } e ? Time(e) : null);
                w.WriteString("changedAt", Time(a.At));
                w.WriteBoolean("acknowledged", t.IsAcknowledged);
                WriteOptional(w, "acknowledgedBy", t.AcknowledgedBy);
                w.WriteString("url", n.AlertUrl(a.Fingerprint));
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    /// <summary>
    /// Alertmanager's webhook payload, version 4 (docs/configuration.md, webhook_config). Each alert carries the labels
    /// routing matched on (<see cref="AlertLabels"/>), so <c>groupLabels</c> is a subset of every alert's labels, as in Alertmanager.
    /// </summary>
    public static byte[] Alertmanager(GroupNotification n)
    {
        var alerts = n.Alerts.Select(a => (a.Alert, Labels: AlertLabels.For(a.Alert))).ToList();
        return Write(w =>
        {
            w.WriteString("version", "4");
            w.WriteString("groupKey", n.GroupKey);
            w.WriteNumber("truncatedAlerts", n.TruncatedAlerts);
            w.WriteString("status", n.Status);
            w.WriteString("receiver", n.Receiver);
            WriteMap(w, "groupLabels", n.GroupLabels);
            WriteMap(w, "commonLabels", Common(alerts.Select(a => a.Labels)));
            WriteMap(w, "commonAnnotations", Common(alerts.Select(a => a.Alert.Annotations)));
            w.WriteString("externalURL", n.ExternalUrl);
            w.WriteStartArray("alerts");
            foreach (var (a, labels) in alerts)
            {
                w.WriteStartObject();
                w.WriteString("status", a.Status == AlertStatus.Resolved ? "resolved" : "firing");
                WriteMap(w, "labels", labels);
                WriteMap(w, "annotations", a.Annotations);
                w.WriteString("startsAt", Time(a.StartsAt));
                // Alertmanager sends the zero time for alerts that have not ended.
                w.WriteString("endsAt", a.EndsAt is { } e && a.Status == AlertStatus.Resolved ? Time(e) : "0001-01-01T00:00:00Z");
                w.WriteString("generatorURL", n.AlertUrl(a.Fingerprint));
                w.WriteString("fingerprint", a.Fingerprint);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    /// <summary>Chat style: one rendered line per alert, as <c>{"text": "..."}</c>.</summary>
    public static byte[] Text(GroupNotification n, string template, string textProperty = "text")
    {
        var sb = new StringBuilder();
        foreach (var t in n.Alerts)
        {
            if (sb.Length > 0)
            {
                sb.Append('\n');
            }

            sb.Append(Render(template, t, n));
        }

        if (n.TruncatedAlerts > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\n(+{n.TruncatedAlerts} more)");
        }

        return Write(w => w.WriteString(textProperty, sb.ToString()));
    }

    /// <summary>Replaces <c>{{name}}</c> with: status, severity, rule, device, family, profile, value, fingerprint, url, startsAt, endsAt, then any label or annotation. Unknown names render empty.</summary>
    public static string Render(string template, TrackedAlert t, GroupNotification n)
    {
        var a = t.Alert;
        return Placeholder().Replace(template, m =>
        {
            var name = m.Groups[1].Value;
            return name switch
            {
                "status" => StatusName(a.Status),
                "severity" => SeverityName(a.Severity),
                "rule" => a.RuleName,
                "device" => a.DeviceId,
                "family" => a.Family,
                "profile" => a.ProfileId,
                "value" => a.ValueText ?? (double.IsFinite(a.Value) ? a.Value.ToString("G", CultureInfo.InvariantCulture) : ""),
                "fingerprint" => a.Fingerprint,
                "url" => n.AlertUrl(a.Fingerprint),
                "startsAt" => Time(a.StartsAt),
                "endsAt" => a.EndsAt is { } e ? Time(e) : "",
                "acknowledged" => t.IsAcknowledged ? "acknowledged" : "",
                _ => a.Labels.TryGetValue(name, out var l) ? l : a.Annotations.TryGetValue(name, out var an) ? an : "",
            };
        });
    }

    public static string StatusName(AlertStatus s) => s switch
    {
        AlertStatus.Firing => "firing",
        AlertStatus.Escalated => "escalated",
        AlertStatus.Deescalated => "deescalated",
        _ => "resolved",
    };

    public static string SeverityName(AlertSeverity s) => s.ToString().ToLowerInvariant();

    /// <summary>RFC 3339 in UTC with milliseconds, as Alertmanager writes it.</summary>
    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static Dictionary<string, string> Common(IEnumerable<IReadOnlyDictionary<string, string>> maps)
    {
        Dictionary<string, string>? common = null;
        foreach (var m in maps)
        {
            if (common is null)
            {
                common = new Dictionary<string, string>(m, StringComparer.Ordinal);
                continue;
            }

            foreach (var key in common.Keys.ToList())
            {
                if (!m.TryGetValue(key, out var v) || v != common[key])
                {
                    common.Remove(key);
                }
            }
        }

        return common ?? [];
    }

    private static void WriteMap(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, string> map)
    {
        w.WriteStartObject(name);
        foreach (var (k, v) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteString(k, v);
        }

        w.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        return ms.ToArray();
    }

    [GeneratedRegex(@"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
