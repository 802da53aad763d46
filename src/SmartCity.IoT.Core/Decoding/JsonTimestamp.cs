using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// Reads a payload's timestamp in one of the <see cref="TimestampFormat"/>s (numbers or numeric strings for the Unix
/// formats, strings for ISO 8601) and rejects one outside 2000..2100, naming the format (usually the mistake).
/// </summary>
internal sealed class JsonTimestamp(TimestampFormat format, TimeSpan utcOffset)
{
    private const long MinPlausibleNs = 946_684_800_000_000_000L;   // 2000-01-01
    private const long MaxPlausibleNs = 4_102_444_800_000_000_000L; // 2100-01-01

    public TimestampFormat Format { get; } = format;

    /// <summary>Offset applied to ISO 8601 times written without one.</summary>
    public TimeSpan UtcOffset { get; } = utcOffset;

    /// <summary>What a container where the timestamp belongs is told.</summary>
    public string Expected => Format == TimestampFormat.Iso8601 ? "string" : "number";

    public void Apply(ref Utf8JsonReader reader, scoped Span<byte> scratch, ref DecodeContext ctx)
    {
        long ns;
        if (Format == TimestampFormat.Iso8601)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                ctx.Fail(DecodeError.BadTimestamp, "timestamp: expected an ISO 8601 string");
                return;
            }

            var raw = JsonText.Unescape(ref reader, scratch) is var n4 && n4 >= 0 ? scratch[..n4] : reader.ValueSpan;
            if (!TryParseIso(raw, UtcOffset, out ns))
            {
                ctx.Fail(DecodeError.BadTimestamp, $"timestamp '{Encoding.UTF8.GetString(raw[..Math.Min(raw.Length, 64)])}' is not ISO 8601 (for example 2025-11-23T08:00:00Z)");
                return;
            }
        }
        else
        {
            double number;
            long whole;
            var isWhole = false;
            if (reader.TokenType == JsonTokenType.Number)
            {
                isWhole = reader.TryGetInt64(out whole);
                if (isWhole || !reader.TryGetDouble(out number))
                {
                    number = whole; // a whole number is used as such (ToNanoseconds reads 'number' only otherwise)
                }
            }
            else if (reader.TokenType == JsonTokenType.String)
            {
                var raw = JsonText.Unescape(ref reader, scratch) is var n5 && n5 >= 0 ? scratch[..n5] : reader.ValueSpan;
                isWhole = Utf8Parser.TryParse(raw, out whole, out var c1) && c1 == raw.Length;
                if (!(Utf8Parser.TryParse(raw, out number, out var c2) && c2 == raw.Length))
                {
                    ctx.Fail(DecodeError.BadTimestamp, $"timestamp '{Encoding.UTF8.GetString(raw[..Math.Min(raw.Length, 64)])}' is not a number of {Unit(Format)}");
                    return;
                }
            }
            else
            {
                ctx.Fail(DecodeError.BadTimestamp, $"timestamp: expected a number of {Unit(Format)}");
                return;
            }

            ns = ToNanoseconds(Format, isWhole, whole, number);
        }

        if (ns < MinPlausibleNs || ns > MaxPlausibleNs)
        {
            ctx.Fail(DecodeError.BadTimestamp, $"timestamp read as {Unit(Format)} is {DescribeNs(ns)}, outside 2000..2100: is the format right (unix_s, unix_ms, unix_us, unix_ns, iso8601)?");
            return;
        }

        ctx.HasTimestamp = true;
        ctx.TimestampNs = ns;
    }

    internal static long ToNanoseconds(TimestampFormat format, bool isWhole, long whole, double number)
    {
        const double Max = 9.2e18;
        double ns = format switch
        {
            TimestampFormat.UnixSeconds => isWhole ? whole * 1e9 : Math.Round(number * 1e6) * 1e3,
            TimestampFormat.UnixMilliseconds => isWhole ? whole * 1e6 : Math.Round(number * 1e3) * 1e3,
            TimestampFormat.UnixMicroseconds => isWhole ? whole * 1e3 : Math.Round(number) * 1e3,
            _ => isWhole ? whole : number,
        };
        if (!double.IsFinite(ns) || ns > Max || ns < -Max)
        {
            return long.MinValue;
        }

        // Fractions are kept to the microsecond and scaled in integers: a double cannot hold today's ns exactly.
        return format switch
        {
            TimestampFormat.UnixSeconds => isWhole ? whole * 1_000_000_000L : (long)Math.Round(number * 1e6) * 1_000L,
            TimestampFormat.UnixMilliseconds => isWhole ? whole * 1_000_000L : (long)Math.Round(number * 1e3) * 1_000L,
            TimestampFormat.UnixMicroseconds => isWhole ? whole * 1_000L : (long)Math.Round(number) * 1_000L,
            _ => isWhole ? whole : (long)number,
        };
    }

    internal static bool TryParseIso(ReadOnlySpan<byte> text, TimeSpan defaultOffset, out long ns)
    {
        ns = 0;
        var t = text.IndexOfAny((byte)'T', (byte)' ');
        var hasOffset = t >= 0 && text[(t + 1)..].IndexOfAny("Zz+-"u8) >= 0;
        // Utf8JsonReader's ISO parser is the strictest allocation-free one in the BCL; reuse it on the text.
        var reader = new Utf8JsonReader(QuoteScratch(text, stackalloc byte[JsonText.ScratchBytes + 2]));
        if (!reader.Read() || reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        long ticks;
        if (hasOffset)
        {
            if (!reader.TryGetDateTimeOffset(out var dto))
            {
                return false;
            }

            ticks = dto.UtcTicks;
        }
        else
        {
            if (!reader.TryGetDateTime(out var dt))
            {
                return false;
            }

            ticks = dt.Ticks - defaultOffset.Ticks;
        }

        ns = (ticks - DateTime.UnixEpoch.Ticks) * 100;
        return true;
    }

    private static ReadOnlySpan<byte> QuoteScratch(ReadOnlySpan<byte> text, Span<byte> buffer)
    {
        if (text.Length > buffer.Length - 2)
        {
            return "null"u8;
        }

        buffer[0] = (byte)'"';
        text.CopyTo(buffer[1..]);
        buffer[text.Length + 1] = (byte)'"';
        // ISO 8601 (and RFC 3339) allow a space between date and time; the reader's parser wants the 'T'.
        if (text.Length > 10 && text[10] == (byte)' ')
        {
            buffer[11] = (byte)'T';
        }

        return buffer[..(text.Length + 2)];
    }

    private static string Unit(TimestampFormat f) => f switch
    {
        TimestampFormat.UnixSeconds => "seconds (unix_s)",
        TimestampFormat.UnixMilliseconds => "milliseconds (unix_ms)",
        TimestampFormat.UnixMicroseconds => "microseconds (unix_us)",
        TimestampFormat.UnixNanoseconds => "nanoseconds (unix_ns)",
        _ => "ISO 8601",
    };

    private static string DescribeNs(long ns)
    {
        var ticks = ns == long.MinValue ? long.MinValue : ns / 100;
        return ticks < -DateTime.UnixEpoch.Ticks || ticks > DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks
            ? "out of range"
            : DateTime.UnixEpoch.AddTicks(ticks).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }
}
