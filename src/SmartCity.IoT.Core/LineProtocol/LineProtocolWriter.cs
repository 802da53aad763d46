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

        // One GetSpan/Advance for the whole line instead of a pair per token (about 50 interface calls per reading):
        // first bound the line's length (escaping at most doubles ASCII; a UTF-16 char is at most 3 UTF-8 bytes).
        var tags = reading.Tags;
        var bound = profile.MeasurementUtf8.Length * 2 + 1 + 1 + 20 + 1;
        foreach (var tag in tags)
        {
            bound += 2 + (tag.Key.Length + tag.Value.Length) * 3;
        }

        foreach (var id in reading.FieldIds)
        {
            bound += 2 + vocabulary[id].NameUtf8.Length * 2 + FieldValueBound(vocabulary[id]);
        }

        var span = writer.GetSpan(bound);
        var n = Escape(span, 0, profile.MeasurementUtf8, EscapeKind.Measurement);
        n = WriteTags(span, n, tags);
        span[n++] = (byte)' ';

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
                span[n++] = (byte)',';
            }

            first = false;
            var field = vocabulary[id];
            n = Escape(span, n, field.NameUtf8, EscapeKind.Key);
            span[n++] = (byte)'=';
            n = WriteFieldValue(span, n, field, value);
        }

        span[n++] = (byte)' ';
        reading.TimestampNs.TryFormat(span[n..], out var written, default, CultureInfo.InvariantCulture);
        n += written;
        span[n++] = (byte)'\n';
        writer.Advance(n);
        return true;
    }

    /// <summary>The most bytes <see cref="WriteFieldValue(Span{byte}, int, FieldDefinition, double)"/> writes for the field.</summary>
    private static int FieldValueBound(FieldDefinition field)
    {
        if (field.Type != FieldType.Enum)
        {
            return 32; // a double in "R" format is at most 24 bytes; an integer 20 digits and 'i'
        }

        var longest = 0;
        foreach (var name in field.EnumValuesUtf8)
        {
            longest = Math.Max(longest, name.Length);
        }

        return 2 + longest * 2;
    }

    private static int WriteFieldValue(Span<byte> span, int n, FieldDefinition field, double value)
    {
        int written;
        switch (field.Type)
        {
            case FieldType.Integer:
                ((long)Math.Round(value, MidpointRounding.AwayFromZero)).TryFormat(span[n..], out written, default, CultureInfo.InvariantCulture);
                n += written;
                span[n++] = (byte)'i';
                return n;
            case FieldType.Boolean:
                var text = value != 0 ? "true"u8 : "false"u8;
                text.CopyTo(span[n..]);
                return n + text.Length;
            case FieldType.Enum:
                var index = (int)value;
                var names = field.EnumValuesUtf8;
                span[n++] = (byte)'"';
                if ((uint)index < (uint)names.Length)
                {
                    n = Escape(span, n, names[index], EscapeKind.StringField);
                }

                span[n++] = (byte)'"';
                return n;
            default:
                return n + FormatDouble(span[n..], value);
        }
    }

    private static int WriteTags(Span<byte> span, int n, ReadOnlySpan<Tag> tags)
    {
        if (tags.Length == 0)
        {
            return n;
        }

        Span<int> order = tags.Length <= MaxStackTags ? stackalloc int[tags.Length] : new int[tags.Length];
        SortByKey(tags, order);
        foreach (var i in order)
        {
            var tag = tags[i];
            if (tag.Value.IsEmpty)
            {
                continue; // InfluxDB rejects empty tag values; an absent tag is the same series.
            }

            span[n++] = (byte)',';
            n = Escape(span, n, tag.Key.AsSpan(), EscapeKind.Key);
            span[n++] = (byte)'=';
            n = Escape(span, n, tag.Value.Span, EscapeKind.Key);
        }

        return n;
    }

    /// <summary>Fills <paramref name="order"/> with the tag indexes sorted by key (insertion sort: tag sets are tiny).</summary>
    private static void SortByKey(ReadOnlySpan<Tag> tags, Span<int> order)
    {
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

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
        if (alert.ValueText is { } text)
        {
            // An enum's value name or true/false, as a string field of its own: 'value' stays a float field for every
            // alert (InfluxDB rejects a field whose type changes within a shard).
            WriteByte(writer, (byte)',');
            WriteEscaped(writer, "value_text"u8, EscapeKind.Key);
            WriteString(writer, text);
        }
        else if (double.IsFinite(alert.Value))
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

        // Full precision (100 ns ticks), not milliseconds: InfluxDB keeps one point per series and timestamp, and the
        // engine gives every transition its own time (see Alert.At), so transitions within one millisecond stay apart.
        WriteByte(writer, (byte)' ');
        WriteInt64(writer, (alert.At.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100L);
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

    public static void WriteDouble(IBufferWriter<byte> writer, double value)
    {
        var span = writer.GetSpan(32);
        writer.Advance(FormatDouble(span, value));
    }

    private static readonly double[] PowersOf10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6];

    /// <summary>
    /// Writes <paramref name="value"/> byte for byte as <c>ToString("R")</c> does (the shortest text that reads back
    /// as the same double), into at least 32 bytes; returns the length.
    /// <para>
    /// Sensor values are mostly whole numbers or have a few decimals (21.5, 0.07): those are written with integer
    /// formatting, several times faster than the general shortest round-trip search. A value with k decimals is
    /// written so when k (1..6) is the smallest count for which m / 10^k, m = round(|value| * 10^k), is exactly the
    /// value (both m &lt; 2^50 and 10^k are exact doubles, so the division is correctly rounded and the text round-trips;
    /// no shorter decimal does, and at this magnitude no other decimal with k digits does either). Outside 1e-4..1e15,
    /// where "R" may switch to E notation, and for negative zero ("-0"), "R" itself is used.
    /// </para>
    /// </summary>
    internal static int FormatDouble(Span<byte> span, double value)
    {
        int written;
        var abs = Math.Abs(value);
        if (abs < 1e15 && value == Math.Truncate(value) && !(value == 0 && double.IsNegative(value)))
        {
            ((long)value).TryFormat(span, out written, default, CultureInfo.InvariantCulture);
            return written;
        }

        if (abs >= 1e-4 && abs < 1e9)
        {
            for (var k = 1; k < PowersOf10.Length; k++)
            {
                var m = Math.Round(abs * PowersOf10[k]);
                if (m >= 1L << 50)
                {
                    break;
                }

                if (m / PowersOf10[k] == abs)
                {
                    return WriteDecimal(span, value < 0, (long)m, k);
                }
            }
        }

        if (!value.TryFormat(span, out written, "R", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("Could not format a double.");
        }

        return written;
    }

    /// <summary>Writes m / 10^k with exactly k decimals (m does not end in 0: k is the smallest that works).</summary>
    private static int WriteDecimal(Span<byte> span, bool negative, long m, int decimals)
    {
        Span<byte> digits = stackalloc byte[20];
        m.TryFormat(digits, out var count, default, CultureInfo.InvariantCulture);
        var n = 0;
        if (negative)
        {
            span[n++] = (byte)'-';
        }

        if (count <= decimals)
        {
            span[n++] = (byte)'0';
            span[n++] = (byte)'.';
            for (var i = count; i < decimals; i++)
            {
                span[n++] = (byte)'0';
            }

            digits[..count].CopyTo(span[n..]);
            return n + count;
        }

        var whole = count - decimals;
        digits[..whole].CopyTo(span[n..]);
        n += whole;
        span[n++] = (byte)'.';
        digits[whole..count].CopyTo(span[n..]);
        return n + decimals;
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
    public static void WriteEscaped(IBufferWriter<byte> writer, ReadOnlySpan<byte> utf8, EscapeKind kind) =>
        writer.Advance(Escape(writer.GetSpan(utf8.Length * 2), 0, utf8, kind));

    /// <summary>Writes UTF-16 text as escaped UTF-8 without allocating.</summary>
    public static void WriteEscaped(IBufferWriter<byte> writer, ReadOnlySpan<char> text, EscapeKind kind) =>
        // Worst case: every char becomes 3 UTF-8 bytes, or an escaped ASCII char becomes 2.
        writer.Advance(Escape(writer.GetSpan(text.Length * 3), 0, text, kind));

    /// <summary>Escapes UTF-8 text into <paramref name="span"/> at <paramref name="n"/> (room: twice its length); returns the new end.</summary>
    // Per kind, the bytes Escape changes (control characters become spaces) or prefixes with a backslash: text with none
    // of them (nearly all names and tag values) is copied in one vectorized step instead of byte by byte.
    private static readonly SearchValues<byte> MeasurementSpecial = SearchValues.Create(Special(", "));
    private static readonly SearchValues<byte> KeySpecial = SearchValues.Create(Special(",= "));
    private static readonly SearchValues<byte> StringFieldSpecial = SearchValues.Create(Special("\"\\"));
    private static readonly SearchValues<char> MeasurementSpecialChars = SearchValues.Create(Encoding.ASCII.GetString(Special(", ")));
    private static readonly SearchValues<char> KeySpecialChars = SearchValues.Create(Encoding.ASCII.GetString(Special(",= ")));
    private static readonly SearchValues<char> StringFieldSpecialChars = SearchValues.Create(Encoding.ASCII.GetString(Special("\"\\")));

    private static byte[] Special(string escaped)
    {
        var bytes = new List<byte>();
        for (var c = 0; c < 0x20; c++)
        {
            bytes.Add((byte)c);
        }

        bytes.AddRange(Encoding.ASCII.GetBytes(escaped));
        return [.. bytes.Distinct()];
    }

    private static SearchValues<byte> SpecialBytes(EscapeKind kind) => kind switch
    {
        EscapeKind.Measurement => MeasurementSpecial,
        EscapeKind.Key => KeySpecial,
        _ => StringFieldSpecial,
    };

    private static SearchValues<char> SpecialChars(EscapeKind kind) => kind switch
    {
        EscapeKind.Measurement => MeasurementSpecialChars,
        EscapeKind.Key => KeySpecialChars,
        _ => StringFieldSpecialChars,
    };

    private static int Escape(Span<byte> span, int n, ReadOnlySpan<byte> utf8, EscapeKind kind)
    {
        utf8 = TrimTrailingBackslashes(utf8, kind);
        if (!utf8.ContainsAny(SpecialBytes(kind)))
        {
            utf8.CopyTo(span[n..]);
            return n + utf8.Length;
        }

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

        return n;
    }

    /// <summary>Escapes UTF-16 text as UTF-8 into <paramref name="span"/> at <paramref name="n"/> (room: three times its length).</summary>
    private static int Escape(Span<byte> span, int n, ReadOnlySpan<char> text, EscapeKind kind)
    {
        text = TrimTrailingBackslashes(text, kind);
        if (Ascii.IsValid(text) && !text.ContainsAny(SpecialChars(kind)))
        {
            Ascii.FromUtf16(text, span[n..], out var written); // ASCII needing no escape: one byte per char
            return n + written;
        }

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

        return n;
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
