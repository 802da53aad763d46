using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace SmartCity.IoT.Core.DeadLetters;

/// <summary>
/// The file format, one object per line:
/// <c>time, kind, source, reason, detail, status (when known), count, size, truncated, payload | payloadBase64</c>.
/// </summary>
internal static class DeadLetterJson
{
    public static void Write(IBufferWriter<byte> output, DeadLetterRecord record)
    {
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("time", record.Time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            json.WriteString("kind", record.Kind);
            json.WriteString("source", record.Source);
            json.WriteString("reason", record.Reason);
            json.WriteString("detail", record.Detail);
            if (record.Status is { } status)
            {
                json.WriteNumber("status", status);
            }

            json.WriteNumber("count", record.Count);
            json.WriteNumber("size", record.Size);
            json.WriteBoolean("truncated", record.Truncated);
            json.WriteString(record.PayloadIsBase64 ? "payloadBase64" : "payload", record.Payload);
            json.WriteEndObject();
        }

        output.Write("\n"u8);
    }
}
