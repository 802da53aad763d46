using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;

namespace SmartCity.IoT.Gateway.HttpIngest;

/// <summary>
/// Reads what the gateway needs from a network server's JSON body before the profile decodes it: is it an uplink, which
/// device (for the topic) and which uplink (for repeats); a body that is not of the format is refused with the reason.
/// The body itself goes to the profile unchanged, the same JSON the network server publishes by MQTT.
/// </summary>
internal sealed class UplinkParser(UplinkFormat format, UplinkTopic topic)
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    public UplinkFormat Format { get; } = format;

    /// <param name="body">The request body.</param>
    /// <param name="eventName">ChirpStack's <c>?event=</c> query value (null when absent); ignored for The Things Stack.</param>
    public ParsedUplink Parse(ReadOnlyMemory<byte> body, string? eventName)
    {
        if (Format == UplinkFormat.ChirpStack)
        {
            if (string.IsNullOrEmpty(eventName))
            {
                return ParsedUplink.Invalid("no ?event= in the URL: ChirpStack's HTTP integration adds it (event=up for an uplink); post the body as ChirpStack does");
            }

            if (!string.Equals(eventName, "up", StringComparison.Ordinal))
            {
                return ParsedUplink.Ignored($"event '{eventName}' is not an uplink");
            }
        }

        if (body.Length == 0)
        {
            return ParsedUplink.Invalid("the body is empty; expected the uplink as JSON");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, Options);
        }
        catch (JsonException ex)
        {
            return ParsedUplink.Invalid($"the body is not valid JSON ({ex.Message.Split(" Path:")[0].TrimEnd('.')}, byte {ex.BytePositionInLine}); set the integration's format to JSON");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return ParsedUplink.Invalid($"the body is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, expected an object");
            }

            return Format == UplinkFormat.ChirpStack ? ChirpStack(root) : Tts(root);
        }
    }

    private ParsedUplink Tts(JsonElement root)
    {
        if (!root.TryGetProperty("end_device_ids", out var ids) || ids.ValueKind != JsonValueKind.Object)
        {
            return ParsedUplink.Invalid("no end_device_ids object: not a The Things Stack message (is this source's Format right?)");
        }

        if (!root.TryGetProperty("uplink_message", out var up))
        {
            var kind = root.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => n is not ("end_device_ids" or "correlation_ids" or "received_at" or "unique_id"));
            return ParsedUplink.Ignored($"not an uplink ({kind ?? "no message"})");
        }

        if (up.ValueKind != JsonValueKind.Object)
        {
            return ParsedUplink.Invalid("uplink_message is not an object");
        }

        if (Base64Error(up, "frm_payload", "uplink_message.frm_payload") is { } bad)
        {
            return ParsedUplink.Invalid(bad);
        }

        var device = Text(ids, "device_id");
        if (string.IsNullOrEmpty(device))
        {
            return ParsedUplink.Invalid("end_device_ids.device_id is missing or empty");
        }

        var application = ids.TryGetProperty("application_ids", out var app) && app.ValueKind == JsonValueKind.Object ? Text(app, "application_id") : null;
        var devEui = Text(ids, "dev_eui");
        var fPort = Port(up, "f_port");
        var rendered = topic.Render(name => name switch
        {
            "application" => (application, "end_device_ids.application_ids.application_id"),
            "device" => (device, "end_device_ids.device_id"),
            "dev_eui" => (devEui, "end_device_ids.dev_eui"),
            _ => (fPort, "uplink_message.f_port"),
        }, out var error);
        if (rendered is null)
        {
            return ParsedUplink.Invalid(error!);
        }

        // The network server's receive time and frame counter name one uplink; a repeat of the post carries both unchanged.
        var at = Text(up, "received_at") ?? Text(root, "received_at");
        var key = at is null ? null : $"{application}/{device}/{at}/{Number(up, "f_cnt")}";
        return new ParsedUplink(UplinkKind.Uplink, rendered, key, null);
    }

    private ParsedUplink ChirpStack(JsonElement root)
    {
        if (!root.TryGetProperty("deviceInfo", out var info) || info.ValueKind != JsonValueKind.Object)
        {
            return ParsedUplink.Invalid("no deviceInfo object: not a ChirpStack v4 uplink (is this source's Format right, and the integration's encoding JSON?)");
        }

        if (Base64Error(root, "data", "data") is { } bad)
        {
            return ParsedUplink.Invalid(bad);
        }

        var devEui = Text(info, "devEui");
        if (string.IsNullOrEmpty(devEui))
        {
            return ParsedUplink.Invalid("deviceInfo.devEui is missing or empty");
        }

        var application = Text(info, "applicationId");
        var device = Text(info, "deviceName");
        var fPort = Port(root, "fPort");
        var rendered = topic.Render(name => name switch
        {
            "application" => (application, "deviceInfo.applicationId"),
            "device" => (device, "deviceInfo.deviceName"),
            "dev_eui" => (devEui, "deviceInfo.devEui"),
            _ => (fPort, "fPort"),
        }, out var error);
        if (rendered is null)
        {
            return ParsedUplink.Invalid(error!);
        }

        var key = Text(root, "deduplicationId") is { Length: > 0 } id ? id
            : Text(root, "time") is { } time ? $"{devEui}/{time}/{Number(root, "fCnt")}" : null;
        return new ParsedUplink(UplinkKind.Uplink, rendered, key, null);
    }

    private static string? Base64Error(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            return $"{path} is a JSON {value.ValueKind.ToString().ToLowerInvariant()}, expected base64 text";
        }

        var text = value.GetString()!;
        return Base64.IsValid(text) ? null : $"{path} is not valid base64 text";
    }

    private static string? Text(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Number(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetRawText() : null;

    // Both servers leave a zero port out of the JSON (proto3 defaults); port 0 carries MAC commands only.
    private static string Port(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var port)
            ? port.ToString(CultureInfo.InvariantCulture)
            : "0";
}
