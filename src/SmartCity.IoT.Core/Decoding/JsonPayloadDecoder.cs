using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// Decodes JSON in one forward pass of <see cref="Utf8JsonReader"/>: every path of the profile is merged into a trie,
/// subtrees no path needs are skipped, property names are compared as UTF-8 bytes. Nothing is allocated for a good payload.
/// </summary>
public sealed class JsonPayloadDecoder : PayloadDecoder
{
    private const int ScratchBytes = 256;
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 32 };

    private readonly Node _root = new(null, -1);
    private readonly List<FieldMapping> _fields = [];
    private readonly List<PayloadTag> _tags = [];
    private TimestampFormat _timestampFormat = TimestampFormat.Received;
    private TimeSpan _timestampOffset;
    private BinaryEncoding _binaryEncoding;
    private BinaryLayout? _binaryLayout;
    private string _binaryPath = "";
    private AvailabilityValues? _availability;

    private enum TargetKind
    {
        Field,
        Timestamp,
        Tag,
        Binary,
        Availability,
    }

    public override IReadOnlyList<FieldMapping> Fields => _fields;

    public IReadOnlyList<PayloadTag> Tags => _tags;

    /// <summary>Where the timestamp is read, or null (receive time).</summary>
    public JsonPath? TimestampPath { get; private set; }

    public TimestampFormat TimestampFormat => _timestampFormat;

    /// <summary>Offset applied to ISO 8601 times written without one.</summary>
    public TimeSpan TimestampUtcOffset => _timestampOffset;

    /// <summary>The binary frame carried in a JSON string, or null.</summary>
    public BinaryLayout? BinaryLayout => _binaryLayout;

    public string BinaryPath => _binaryPath;

    public BinaryEncoding BinaryEncoding => _binaryEncoding;

    public JsonPayloadDecoder AddField(JsonPath path, FieldMapping mapping)
    {
        _fields.Add(mapping);
        Add(path, new Target(TargetKind.Field, _fields.Count - 1));
        return this;
    }

    public JsonPayloadDecoder SetTimestamp(JsonPath path, TimestampFormat format, TimeSpan utcOffset = default)
    {
        _timestampFormat = format;
        _timestampOffset = utcOffset;
        TimestampPath = path;
        Add(path, new Target(TargetKind.Timestamp, 0));
        return this;
    }

    public JsonPayloadDecoder AddTag(JsonPath path, PayloadTag tag)
    {
        _tags.Add(tag);
        Add(path, new Target(TargetKind.Tag, _tags.Count - 1));
        return this;
    }

    /// <summary>A JSON string holding a binary frame (hex or base64), decoded by <paramref name="layout"/>; its fields join <see cref="Fields"/>.</summary>
    public JsonPayloadDecoder SetBinary(JsonPath path, BinaryEncoding encoding, BinaryLayout layout)
    {
        _binaryEncoding = encoding;
        _binaryLayout = layout;
        _binaryPath = path.Text;
        foreach (var f in layout.Fields)
        {
            _fields.Add(f.Mapping);
        }

        Add(path, new Target(TargetKind.Binary, 0));
        return this;
    }

    public JsonPayloadDecoder SetAvailability(JsonPath path, AvailabilityValues values)
    {
        _availability = values;
        Add(path, new Target(TargetKind.Availability, 0));
        return this;
    }

    public override void Decode(ReadOnlySpan<byte> payload, ReadOnlySpan<char> fieldKey, Reading reading, ref DecodeContext ctx)
    {
        if (payload.Trim(" \t\r\n"u8).IsEmpty)
        {
            ctx.Fail(DecodeError.MalformedPayload, "the payload is empty, expected JSON");
            return;
        }

        try
        {
            var reader = new Utf8JsonReader(payload, ReaderOptions);
            reader.Read();
            Visit(ref reader, _root, reading, ref ctx);
            if (reader.Read())
            {
                ctx.Fail(DecodeError.MalformedPayload, $"unexpected data after the JSON value at byte {reader.TokenStartIndex}");
            }
        }
        catch (JsonException e)
        {
            ctx.Fail(DecodeError.MalformedPayload, "invalid JSON: " + e.Message);
        }
    }

    private void Add(JsonPath path, Target target)
    {
        var node = _root;
        foreach (var step in path.Steps)
        {
            Node? next = null;
            foreach (var c in node.Children)
            {
                if (c.Name == step.Name && c.Index == step.Index)
                {
                    next = c;
                    break;
                }
            }

            if (next is null)
            {
                next = new Node(step.Name, step.Index);
                node.Children.Add(next);
            }

            node = next;
        }

        node.Targets.Add(target);
    }

    private void Visit(ref Utf8JsonReader reader, Node node, Reading reading, ref DecodeContext ctx)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                if (node.Children.Count == 0)
                {
                    RejectContainer(node, "an object", ref ctx);
                    reader.Skip();
                    return;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var child = FindByName(node, ref reader);
                    reader.Read();
                    if (child is null)
                    {
                        reader.Skip();
                    }
                    else
                    {
                        Visit(ref reader, child, reading, ref ctx);
                    }
                }

                return;
            case JsonTokenType.StartArray:
                if (node.Children.Count == 0)
                {
                    RejectContainer(node, "an array", ref ctx);
                    reader.Skip();
                    return;
                }

                var index = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var child = FindByIndex(node, index++);
                    if (child is null)
                    {
                        reader.Skip();
                    }
                    else
                    {
                        Visit(ref reader, child, reading, ref ctx);
                    }
                }

                return;
            default:
                foreach (var t in node.Targets)
                {
                    ApplyScalar(ref reader, t, reading, ref ctx);
                }

                return;
        }
    }

    private static Node? FindByName(Node node, ref Utf8JsonReader reader)
    {
        Node? wildcard = null;
        foreach (var c in node.Children)
        {
            if (c.NameUtf8 is null)
            {
                continue;
            }

            if (c.IsWildcard)
            {
                wildcard ??= c;
            }
            else if (reader.ValueTextEquals(c.NameUtf8))
            {
                return c;
            }
        }

        return wildcard;
    }

    private static Node? FindByIndex(Node node, int index)
    {
        foreach (var c in node.Children)
        {
            if (c.NameUtf8 is null && c.Index == index)
            {
                return c;
            }
        }

        return null;
    }

    private void RejectContainer(Node node, string kind, ref DecodeContext ctx)
    {
        foreach (var t in node.Targets)
        {
            switch (t.Kind)
            {
                case TargetKind.Field:
                    _fields[t.Index].RejectKind(kind, ref ctx);
                    break;
                case TargetKind.Timestamp:
                    ctx.Fail(DecodeError.BadTimestamp, $"timestamp: expected a {(_timestampFormat == TimestampFormat.Iso8601 ? "string" : "number")}, got {kind}");
                    break;
                case TargetKind.Binary:
                    ctx.Fail(DecodeError.MalformedPayload, $"{_binaryPath}: expected a {_binaryEncoding.ToString().ToLowerInvariant()} string, got {kind}");
                    break;
                case TargetKind.Availability:
                    ctx.Fail(DecodeError.UnknownAvailability, $"availability: expected a string or boolean, got {kind}");
                    break;
            }
        }
    }

    private void ApplyScalar(ref Utf8JsonReader reader, Target target, Reading reading, ref DecodeContext ctx)
    {
        var token = reader.TokenType;
        if (token == JsonTokenType.Null)
        {
            return; // null means "not reported" (Zigbee2MQTT does this); required fields are checked by the caller
        }

        if (target.Kind == TargetKind.Field && token == JsonTokenType.Number)
        {
            // The common case first, before the scratch buffer below (zeroed on every call) is set up.
            ApplyNumber(ref reader, _fields[target.Index], reading, ref ctx);
            return;
        }

        Span<byte> scratch = stackalloc byte[ScratchBytes];
        switch (target.Kind)
        {
            case TargetKind.Field:
                var mapping = _fields[target.Index];
                switch (token)
                {
                    case JsonTokenType.Number:
                        ApplyNumber(ref reader, mapping, reading, ref ctx);
                        break;
                    case JsonTokenType.True:
                    case JsonTokenType.False:
                        mapping.ApplyBoolean(token == JsonTokenType.True, reading, ref ctx);
                        break;
                    case JsonTokenType.String:
                        mapping.ApplyText((Unescape(ref reader, scratch) is var n1 && n1 >= 0 ? scratch[..n1] : reader.ValueSpan), reading, ref ctx);
                        break;
                }

                break;
            case TargetKind.Timestamp:
                ApplyTimestamp(ref reader, scratch, ref ctx);
                break;
            case TargetKind.Tag:
                var tag = _tags[target.Index];
                var text = token == JsonTokenType.String ? (Unescape(ref reader, scratch) is var n2 && n2 >= 0 ? scratch[..n2] : reader.ValueSpan) : reader.ValueSpan;
                var value = tag.Values.Intern(text);
                if (value is { Length: > 0 })
                {
                    reading.AddTag(tag.Key, value.AsMemory());
                }

                break;
            case TargetKind.Binary:
                if (token != JsonTokenType.String)
                {
                    ctx.Fail(DecodeError.MalformedPayload, $"{_binaryPath}: expected a {_binaryEncoding.ToString().ToLowerInvariant()} string");
                    break;
                }

                if (reader.ValueIsEscaped)
                {
                    // Rare (an escaped '/' in base64): unescape into a small scratch buffer.
                    var len = Unescape(ref reader, scratch);
                    BinaryFrame.Decode(len >= 0 ? scratch[..len] : reader.ValueSpan, _binaryEncoding, _binaryLayout!, _binaryPath, reading, ref ctx);
                }
                else
                {
                    BinaryFrame.Decode(reader.ValueSpan, _binaryEncoding, _binaryLayout!, _binaryPath, reading, ref ctx);
                }

                break;
            case TargetKind.Availability:
                _availability!.Apply(token == JsonTokenType.String ? (Unescape(ref reader, scratch) is var n3 && n3 >= 0 ? scratch[..n3] : reader.ValueSpan) : reader.ValueSpan, ref ctx);
                break;
        }
    }

    private static void ApplyNumber(ref Utf8JsonReader reader, FieldMapping mapping, Reading reading, ref DecodeContext ctx)
    {
        if (TryParseShortDecimal(reader.ValueSpan, out var d) || reader.TryGetDouble(out d))
        {
            mapping.ApplyNumber(d, reading, ref ctx);
        }
        else
        {
            mapping.RejectKind("a number out of double range", ref ctx);
        }
    }

    private void ApplyTimestamp(ref Utf8JsonReader reader, scoped Span<byte> scratch, ref DecodeContext ctx)
    {
        long ns;
        if (_timestampFormat == TimestampFormat.Iso8601)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                ctx.Fail(DecodeError.BadTimestamp, "timestamp: expected an ISO 8601 string");
                return;
            }

            var raw = (Unescape(ref reader, scratch) is var n4 && n4 >= 0 ? scratch[..n4] : reader.ValueSpan);
            if (!TryParseIso(raw, _timestampOffset, out ns))
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
                var raw = (Unescape(ref reader, scratch) is var n5 && n5 >= 0 ? scratch[..n5] : reader.ValueSpan);
                isWhole = Utf8Parser.TryParse(raw, out whole, out var c1) && c1 == raw.Length;
                if (!(Utf8Parser.TryParse(raw, out number, out var c2) && c2 == raw.Length))
                {
                    ctx.Fail(DecodeError.BadTimestamp, $"timestamp '{Encoding.UTF8.GetString(raw[..Math.Min(raw.Length, 64)])}' is not a number of {Unit(_timestampFormat)}");
                    return;
                }
            }
            else
            {
                ctx.Fail(DecodeError.BadTimestamp, $"timestamp: expected a number of {Unit(_timestampFormat)}");
                return;
            }

            ns = ToNanoseconds(_timestampFormat, isWhole, whole, number);
        }

        if (ns < MinPlausibleNs || ns > MaxPlausibleNs)
        {
            ctx.Fail(DecodeError.BadTimestamp, $"timestamp read as {Unit(_timestampFormat)} is {DescribeNs(ns)}, outside 2000..2100: is the format right (unix_s, unix_ms, unix_us, unix_ns, iso8601)?");
            return;
        }

        ctx.HasTimestamp = true;
        ctx.TimestampNs = ns;
    }

    private const long MinPlausibleNs = 946_684_800_000_000_000L;   // 2000-01-01
    private const long MaxPlausibleNs = 4_102_444_800_000_000_000L; // 2100-01-01

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
        var reader = new Utf8JsonReader(QuoteScratch(text, stackalloc byte[ScratchBytes + 2]));
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
            : DateTime.UnixEpoch.AddTicks(ticks).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static readonly double[] PowersOf10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

    /// <summary>
    /// Fast path for the numbers sensors send (<c>-12.75</c>, <c>815</c>): a JSON number token without exponent and with
    /// at most 15 significant digits is m / 10^k with m &lt; 2^53 and k &lt;= 22, both exact doubles, so one correctly
    /// rounded division gives exactly the double the general parser returns. Anything else returns false (use it).
    /// </summary>
    internal static bool TryParseShortDecimal(ReadOnlySpan<byte> token, out double value)
    {
        value = 0;
        var i = 0;
        var negative = token.Length > 0 && token[0] == (byte)'-';
        if (negative)
        {
            i = 1;
        }

        long m = 0;
        var significant = 0;
        var decimals = 0;
        var point = false;
        var any = false;
        for (; i < token.Length; i++)
        {
            var digit = (uint)(token[i] - '0');
            if (digit <= 9)
            {
                any = true;
                decimals += point ? 1 : 0;
                if (significant == 0 && digit == 0)
                {
                    continue; // leading zeros are not significant
                }

                if (++significant > 15)
                {
                    return false;
                }

                m = (m * 10) + digit;
            }
            else if (token[i] == (byte)'.' && !point)
            {
                point = true;
            }
            else
            {
                return false; // exponent (or not a number): the general parser decides
            }
        }

        if (!any || decimals >= PowersOf10.Length)
        {
            return false;
        }

        value = decimals == 0 ? m : m / PowersOf10[decimals];
        if (negative)
        {
            value = -value;
        }

        return true;
    }

    /// <summary>Unescapes a string token into <paramref name="scratch"/>; returns -1 when it has no escapes (use ValueSpan) or does not fit.</summary>
    private static int Unescape(ref Utf8JsonReader reader, scoped Span<byte> scratch)
    {
        if (!reader.ValueIsEscaped || reader.ValueSpan.Length > scratch.Length)
        {
            return -1;
        }

        return reader.CopyString(scratch);
    }

    private readonly record struct Target(TargetKind Kind, int Index);

    private sealed class Node(string? name, int index)
    {
        public string? Name { get; } = name;

        public byte[]? NameUtf8 { get; } = name is null ? null : Encoding.UTF8.GetBytes(name);

        public int Index { get; } = index;

        public bool IsWildcard => Name == "*";

        public List<Node> Children { get; } = [];

        public List<Target> Targets { get; } = [];
    }
}
