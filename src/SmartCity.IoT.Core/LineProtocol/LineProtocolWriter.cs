using System.Buffers;
using System.Globalization;
using System.Text;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.LineProtocol;

/// <summary>
/// Writes InfluxDB line protocol straight into a pooled <see cref="IBufferWriter{T}"/>.
/// Readings are written without allocating: names are precomputed UTF-8, numbers are formatted into the buffer,
/// tags are sorted by key (InfluxDB's advice) through a stack-allocated index.
/// Newlines and other control characters cannot appear in line protocol; they are written as spaces (escaped where needed).
/// </summary>
public static class LineProtocolWriter
{
    private const int MaxStackTags = 32;

    /// <summary>
    /// Appends one line for <paramref name="reading"/> (measurement = profile family) and returns true,
    /// or writes nothing and returns false when the reading has no finite value to write.
    /// </summary>
    public static bool WriteReading(IBufferWriter<byte> writer, Reading reading, FieldVocabulary vocabulary)
    {
        var profile = reading.Profile ?? throw new InvalidOperationException("Reading has no profile.");
        if (!HasWritableField(reading))
        {
            return false;
        }

        WriteEscaped(writer, profile.MeasurementUtf8, EscapeKind.Measurement);
        WriteTags(writer, reading.Tags);
        WriteByte(writer, (byte)' ');

        var first = true;
        foreach (var id in reading.FieldIds)
        {
            var value = reading.GetOrNaN(id);
            if (!double.IsFinite(value))
            {
                continue;
            }

            if (!first)
            {
                WriteByte(writer, (byte)',');
            }

            first = false;
            var field = vocabulary[id];
            WriteEscaped(writer, field.NameUtf8, EscapeKind.Key);
            WriteByte(writer, (byte)'=');
            WriteFieldValue(writer, field, value);
        }

        WriteByte(writer, (byte)' ');
        WriteInt64(writer, reading.TimestampNs);
        WriteByte(writer, (byte)'\n');
        return true;
    }

    /// <summary>Appends one line to the <c>alerts</c> measurement for an alert transition (off the hot path).</summary>
    public static void WriteAlert(IBufferWriter<byte> writer, Alert alert)
    {
        WriteEscaped(writer, "alerts"u8, EscapeKind.Measurement);
        var tags = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in alert.Labels)
        {
            if (!string.IsNullOrEmpty(v))
            {
                tags[k] = v;
            }
        }

        tags["alertname"] = alert.RuleName;
        tags["severity"] = alert.Severity.ToString().ToLowerInvariant();
        tags["status"] = alert.Status.ToString().ToLowerInvariant();
        tags["device"] = alert.DeviceId;
        tags["family"] = alert.Family;
        tags["model"] = alert.ProfileId;
        foreach (var (k, v) in tags)
        {
            WriteByte(writer, (byte)',');
            WriteEscaped(writer, k.AsSpan(), EscapeKind.Key);
            WriteByte(writer, (byte)'=');
            WriteEscaped(writer, v.AsSpan(), EscapeKind.Key);
        }

        WriteByte(writer, (byte)' ');
        WriteEscaped(writer, "fingerprint"u8, EscapeKind.Key);
        WriteString(writer, alert.Fingerprint);
        if (double.IsFinite(alert.Value))
        {
            WriteByte(writer, (byte)',');
            WriteEscaped(writer, "value"u8, EscapeKind.Key);
            WriteByte(writer, (byte)'=');
            WriteDouble(writer, alert.Value);
        }

        if (alert.Annotations.TryGetValue("summary", out var summary))
        {
            WriteByte(writer, (byte)',');
            WriteEscaped(writer, "summary"u8, EscapeKind.Key);
            WriteString(writer, summary);
        }

        WriteByte(writer, (byte)' ');
        WriteInt64(writer, alert.At.ToUnixTimeMilliseconds() * 1_000_000L);
        WriteByte(writer, (byte)'\n');
    }

    /// <summary>Writes <c>=\"escaped\"</c> for a string field.</summary>
    private static void WriteString(IBufferWriter<byte> writer, string value)
    {
        WriteByte(writer, (byte)'=');
        WriteByte(writer, (byte)'"');
        WriteEscaped(writer, value.AsSpan(), EscapeKind.StringField);
        WriteByte(writer, (byte)'"');
    }

    public static void WriteFieldValue(IBufferWriter<byte> writer, FieldDefinition field, double value)
    {
        switch (field.Type)
        {
            case FieldType.Integer:
                WriteInt64(writer, (long)Math.Round(value, MidpointRounding.AwayFromZero));
                WriteByte(writer, (byte)'i');
                break;
            case FieldType.Boolean:
                WriteRaw(writer, value != 0 ? "true"u8 : "false"u8);
                break;
            case FieldType.Enum:
                var index = (int)value;
                var names = field.EnumValuesUtf8;
                WriteByte(writer, (byte)'"');
                if ((uint)index < (uint)names.Length)
                {
                    WriteEscaped(writer, names[index], EscapeKind.StringField);
                }

                WriteByte(writer, (byte)'"');
                break;
            default:
                WriteDouble(writer, value);
                break;
        }
    }

    private static bool HasWritableField(Reading reading)
    {
        foreach (var id in reading.FieldIds)
        {
            if (double.IsFinite(reading.GetOrNaN(id)))
            {
                return true;
            }
        }

        return false;
    }

    private static void WriteTags(IBufferWriter<byte> writer, ReadOnlySpan<Tag> tags)
    {
        if (tags.Length == 0)
        {
            return;
        }

        Span<int> order = tags.Length <= MaxStackTags ? stackalloc int[tags.Length] : new int[tags.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        // Insertion sort: tag sets are tiny.
        for (var i = 1; i < order.Length; i++)
        {
            var current = order[i];
            var j = i - 1;
            while (j >= 0 && string.CompareOrdinal(tags[order[j]].Key, tags[current].Key) > 0)
            {
                order[j + 1] = order[j];
                j--;
            }

            order[j + 1] = current;
        }

        foreach (var i in order)
        {
            var tag = tags[i];
            if (tag.Value.IsEmpty)
            {
                continue; // InfluxDB rejects empty tag values; an absent tag is the same series.
            }

            WriteByte(writer, (byte)',');
            WriteEscaped(writer, tag.Key.AsSpan(), EscapeKind.Key);
            WriteByte(writer, (byte)'=');
            WriteEscaped(writer, tag.Value.Span, EscapeKind.Key);
        }
    }

    public static void WriteDouble(IBufferWriter<byte> writer, double value)
    {
        var span = writer.GetSpan(32);
        if (!value.TryFormat(span, out var written, "R", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("Could not format a double.");
        }

        writer.Advance(written);
    }

    public static void WriteInt64(IBufferWriter<byte> writer, long value)
    {
        var span = writer.GetSpan(24);
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        writer.Advance(written);
    }

    private static void WriteByte(IBufferWriter<byte> writer, byte b)
    {
        writer.GetSpan(1)[0] = b;
        writer.Advance(1);
    }

    private static void WriteRaw(IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(writer.GetSpan(bytes.Length));
        writer.Advance(bytes.Length);
    }

    /// <summary>Writes UTF-8 text with the escaping its position requires.</summary>
    public static void WriteEscaped(IBufferWriter<byte> writer, ReadOnlySpan<byte> utf8, EscapeKind kind)
    {
        utf8 = TrimTrailingBackslashes(utf8, kind);
        var span = writer.GetSpan(utf8.Length * 2);
        var n = 0;
        foreach (var b in utf8)
        {
            var c = b;
            if (c < 0x20)
            {
                c = (byte)' ';
            }

            if (NeedsEscape(c, kind))
            {
                span[n++] = (byte)'\\';
            }

            span[n++] = c;
        }

        writer.Advance(n);
    }

    /// <summary>Writes UTF-16 text as escaped UTF-8 without allocating.</summary>
    public static void WriteEscaped(IBufferWriter<byte> writer, ReadOnlySpan<char> text, EscapeKind kind)
    {
        text = TrimTrailingBackslashes(text, kind);
        // Worst case: every char becomes 3 UTF-8 bytes, or an escaped ASCII char becomes 2.
        var span = writer.GetSpan(text.Length * 3);
        var n = 0;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c < 0x80)
            {
                var b = c < 0x20 ? (byte)' ' : (byte)c;
                if (NeedsEscape(b, kind))
                {
                    span[n++] = (byte)'\\';
                }

                span[n++] = b;
                i++;
                continue;
            }

            if (Rune.DecodeFromUtf16(text[i..], out var rune, out var consumed) != OperationStatus.Done)
            {
                rune = Rune.ReplacementChar;
                consumed = 1;
            }

            n += rune.EncodeToUtf8(span[n..]);
            i += consumed;
        }

        writer.Advance(n);
    }

    /// <summary>
    /// A trailing backslash in a name or tag value would escape the separator after it (InfluxDB answers
    /// "invalid tag format", and doubling it does not help), so it is dropped: <c>C:\</c> is written as <c>C:</c>.
    /// </summary>
    private static ReadOnlySpan<byte> TrimTrailingBackslashes(ReadOnlySpan<byte> text, EscapeKind kind) =>
        kind == EscapeKind.StringField ? text : text.TrimEnd((byte)'\\');

    private static ReadOnlySpan<char> TrimTrailingBackslashes(ReadOnlySpan<char> text, EscapeKind kind) =>
        kind == EscapeKind.StringField ? text : text.TrimEnd('\\');

    private static bool NeedsEscape(byte c, EscapeKind kind) => kind switch
    {
        EscapeKind.Measurement => c is (byte)',' or (byte)' ',
        EscapeKind.Key => c is (byte)',' or (byte)'=' or (byte)' ',
        _ => c is (byte)'"' or (byte)'\\',
    };
}
