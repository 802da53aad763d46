using Google.Protobuf;

/// <summary>One metric for <see cref="SparkplugPayloadWriter"/>; <see cref="Value"/> picks the wire field (int → int_value, long → long_value, float, double, bool, string).</summary>
internal sealed record SpMetric(string? Name = null, ulong? Alias = null, uint? DataType = null, object? Value = null, ulong? Timestamp = null, bool IsNull = false, bool Historical = false);

/// <summary>
/// Writes Sparkplug B payloads for tests and samples, field by field with Google.Protobuf's CodedOutputStream (Payload:
/// timestamp 1, metrics 2, seq 3; Metric: name 1, alias 2, timestamp 3, datatype 4, is_historical 5, is_null 7, int 10,
/// long 11, float 12, double 13, boolean 14, string 15).
/// </summary>
internal static class SparkplugPayloadWriter
{
    public const uint Int8 = 1, Int16 = 2, Int32 = 3, Int64 = 4, UInt8 = 5, UInt16 = 6, UInt32 = 7, UInt64 = 8, Float = 9, Double = 10, Boolean = 11, String = 12;

    public static byte[] Payload(ulong? timestamp, ulong? seq, params SpMetric[] metrics)
    {
        using var ms = new MemoryStream();
        var o = new CodedOutputStream(ms);
        if (timestamp is { } ts)
        {
            o.WriteTag(1, WireFormat.WireType.Varint);
            o.WriteUInt64(ts);
        }

        foreach (var m in metrics)
        {
            var body = Metric(m);
            o.WriteTag(2, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(body));
        }

        if (seq is { } s)
        {
            o.WriteTag(3, WireFormat.WireType.Varint);
            o.WriteUInt64(s);
        }

        o.Flush();
        return ms.ToArray();
    }

    public static string Hex(byte[] bytes) => Convert.ToHexString(bytes);

    private static byte[] Metric(SpMetric m)
    {
        using var ms = new MemoryStream();
        var o = new CodedOutputStream(ms);
        if (m.Name is { } name)
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString(name);
        }

        if (m.Alias is { } alias)
        {
            o.WriteTag(2, WireFormat.WireType.Varint);
            o.WriteUInt64(alias);
        }

        if (m.Timestamp is { } ts)
        {
            o.WriteTag(3, WireFormat.WireType.Varint);
            o.WriteUInt64(ts);
        }

        if (m.DataType is { } dt)
        {
            o.WriteTag(4, WireFormat.WireType.Varint);
            o.WriteUInt32(dt);
        }

        if (m.Historical)
        {
            o.WriteTag(5, WireFormat.WireType.Varint);
            o.WriteBool(true);
        }

        if (m.IsNull)
        {
            o.WriteTag(7, WireFormat.WireType.Varint);
            o.WriteBool(true);
        }

        switch (m.Value)
        {
            case int i:
                o.WriteTag(10, WireFormat.WireType.Varint);
                o.WriteUInt32(unchecked((uint)i));
                break;
            case uint u:
                o.WriteTag(10, WireFormat.WireType.Varint);
                o.WriteUInt32(u);
                break;
            case long l:
                o.WriteTag(11, WireFormat.WireType.Varint);
                o.WriteUInt64(unchecked((ulong)l));
                break;
            case ulong ul:
                o.WriteTag(11, WireFormat.WireType.Varint);
                o.WriteUInt64(ul);
                break;
            case float f:
                o.WriteTag(12, WireFormat.WireType.Fixed32);
                o.WriteFloat(f);
                break;
            case double d:
                o.WriteTag(13, WireFormat.WireType.Fixed64);
                o.WriteDouble(d);
                break;
            case bool b:
                o.WriteTag(14, WireFormat.WireType.Varint);
                o.WriteBool(b);
                break;
            case string str:
                o.WriteTag(15, WireFormat.WireType.LengthDelimited);
                o.WriteString(str);
                break;
        }

        o.Flush();
        return ms.ToArray();
    }
}
