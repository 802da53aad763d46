using System.Text.Json;
using System.Text.Json.Serialization;
using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>How alerts are stored in the outbox (not a wire format: the wire formats are in Formats/).</summary>
internal static class AlertJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Serialize(Alert alert) => JsonSerializer.Serialize(alert, Options);

    public static Alert Deserialize(string json) =>
        JsonSerializer.Deserialize<Alert>(json, Options) ?? throw new JsonException("stored alert is null");
}
