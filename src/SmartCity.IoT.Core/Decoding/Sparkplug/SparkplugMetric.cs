namespace SmartCity.IoT.Core.Decoding.Sparkplug;

/// <summary>One metric of a payload as read from the wire (a reused slot: strings only when the payload has them).</summary>
public struct SparkplugMetric
{
    public string? Name;
    public ulong Alias;
    public bool HasAlias;
    public ulong TimestampMs;
    public bool HasTimestamp;
    public SparkplugDataType DataType;
    public bool HasDataType;
    public bool IsNull;
    public bool IsHistorical;
    public SparkplugValueKind Kind;

    /// <summary>int_value (uint32) or long_value (uint64) as sent; float and double values are in <see cref="Real"/>.</summary>
    public ulong Bits;
    public double Real;
    public bool Boolean;
    public string? Text;

    /// <summary>
    /// The value as a number under <paramref name="type"/> (the BIRTH's datatype): int_value carries every 8/16/32-bit
    /// type as uint32 (signed ones sign-extended), long_value every 64-bit one, so signed types are narrowed back.
    /// </summary>
    public readonly double Number(SparkplugDataType type) => Kind switch
    {
        SparkplugValueKind.Float or SparkplugValueKind.Double => Real,
        SparkplugValueKind.Boolean => Boolean ? 1 : 0,
        SparkplugValueKind.Int => type switch
        {
            SparkplugDataType.Int8 => (sbyte)(uint)Bits,
            SparkplugDataType.Int16 => (short)(uint)Bits,
            SparkplugDataType.Int32 => (int)(uint)Bits,
            SparkplugDataType.UInt8 => (byte)Bits,
            SparkplugDataType.UInt16 => (ushort)Bits,
            _ => (uint)Bits,
        },
        _ => type is SparkplugDataType.Int64 or SparkplugDataType.DateTime ? (long)Bits : Bits,
    };
}
