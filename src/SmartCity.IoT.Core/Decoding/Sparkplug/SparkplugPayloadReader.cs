using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace SmartCity.IoT.Core.Decoding.Sparkplug;

/// <summary>
/// Reads a Sparkplug B payload straight off the wire with Google.Protobuf's span parser: no generated message objects,
/// metrics go into reused slots. Field numbers (tahu's sparkplug_b.proto): Payload timestamp 1, metrics 2, seq 3;
/// Metric name 1, alias 2, timestamp 3, datatype 4, is_historical 5, is_null 7, int 10, long 11, float 12, double 13,
/// boolean 14, string 15; other fields are skipped. One instance per thread (<see cref="Parse"/>).
/// </summary>
public sealed class SparkplugPayloadReader : IMessage<SparkplugPayloadReader>, IBufferMessage
{
    [ThreadStatic]
    private static SparkplugPayloadReader? _current;

    private static readonly MessageParser<SparkplugPayloadReader> Parser =
        new MessageParser<SparkplugPayloadReader>(() => _current ??= new SparkplugPayloadReader()).WithDiscardUnknownFields(true);

    private readonly MetricReader _metric;
    private SparkplugMetric[] _metrics = new SparkplugMetric[16];

    private SparkplugPayloadReader() => _metric = new MetricReader(this);

    public ulong TimestampMs { get; private set; }

    public bool HasTimestamp { get; private set; }

    public ulong Seq { get; private set; }

    public bool HasSeq { get; private set; }

    public int Count { get; private set; }

    public ReadOnlySpan<SparkplugMetric> Metrics => _metrics.AsSpan(0, Count);

    MessageDescriptor IMessage.Descriptor => null!;

    /// <summary>Parses <paramref name="payload"/> into this thread's reader (valid until the next call on the thread).</summary>
    /// <exception cref="InvalidProtocolBufferException">The payload is not a protobuf message.</exception>
    public static SparkplugPayloadReader Parse(ReadOnlySpan<byte> payload)
    {
        var reader = _current ??= new SparkplugPayloadReader();
        reader.Clear();
        return Parser.ParseFrom(payload);
    }

    void IBufferMessage.InternalMergeFrom(ref ParseContext input)
    {
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (tag)
            {
                case (1 << 3) | 0:
                    TimestampMs = input.ReadUInt64();
                    HasTimestamp = true;
                    break;
                case (2 << 3) | 2:
                    if (Count == _metrics.Length)
                    {
                        Array.Resize(ref _metrics, _metrics.Length * 2);
                    }

                    _metrics[Count] = default;
                    input.ReadMessage(_metric);
                    Count++;
                    break;
                case (3 << 3) | 0:
                    Seq = input.ReadUInt64();
                    HasSeq = true;
                    break;
                default:
                    UnknownFieldSet.MergeFieldFrom(null, ref input);
                    break;
            }
        }
    }

    void IBufferMessage.InternalWriteTo(ref WriteContext output) => throw new NotSupportedException();

    void IMessage.MergeFrom(CodedInputStream input) => input.ReadRawMessage(this);

    void IMessage.WriteTo(CodedOutputStream output) => throw new NotSupportedException();

    int IMessage.CalculateSize() => throw new NotSupportedException();

    void IMessage<SparkplugPayloadReader>.MergeFrom(SparkplugPayloadReader message) => throw new NotSupportedException();

    bool IEquatable<SparkplugPayloadReader>.Equals(SparkplugPayloadReader? other) => ReferenceEquals(this, other);

    SparkplugPayloadReader IDeepCloneable<SparkplugPayloadReader>.Clone() => throw new NotSupportedException();

    private void Clear()
    {
        TimestampMs = 0;
        HasTimestamp = false;
        Seq = 0;
        HasSeq = false;
        Count = 0;
    }

    private sealed class MetricReader(SparkplugPayloadReader owner) : IMessage, IBufferMessage
    {
        MessageDescriptor IMessage.Descriptor => null!;

        void IBufferMessage.InternalMergeFrom(ref ParseContext input)
        {
            ref var m = ref owner._metrics[owner.Count];
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                switch (tag)
                {
                    case (1 << 3) | 2:
                        m.Name = input.ReadString();
                        break;
                    case (2 << 3) | 0:
                        m.Alias = input.ReadUInt64();
                        m.HasAlias = true;
                        break;
                    case (3 << 3) | 0:
                        m.TimestampMs = input.ReadUInt64();
                        m.HasTimestamp = true;
                        break;
                    case (4 << 3) | 0:
                        m.DataType = (SparkplugDataType)Math.Min(input.ReadUInt32(), 255u);
                        m.HasDataType = true;
                        break;
                    case (5 << 3) | 0:
                        m.IsHistorical = input.ReadBool();
                        break;
                    case (7 << 3) | 0:
                        m.IsNull = input.ReadBool();
                        break;
                    case (10 << 3) | 0:
                        m.Bits = input.ReadUInt32();
                        m.Kind = SparkplugValueKind.Int;
                        break;
                    case (11 << 3) | 0:
                        m.Bits = input.ReadUInt64();
                        m.Kind = SparkplugValueKind.Long;
                        break;
                    case (12 << 3) | 5:
                        m.Real = input.ReadFloat();
                        m.Kind = SparkplugValueKind.Float;
                        break;
                    case (13 << 3) | 1:
                        m.Real = input.ReadDouble();
                        m.Kind = SparkplugValueKind.Double;
                        break;
                    case (14 << 3) | 0:
                        m.Boolean = input.ReadBool();
                        m.Kind = SparkplugValueKind.Boolean;
                        break;
                    case (15 << 3) | 2:
                        m.Text = input.ReadString();
                        m.Kind = SparkplugValueKind.String;
                        break;
                    default:
                        if (WireFormat.GetTagFieldNumber(tag) is >= 16 and <= 19)
                        {
                            m.Kind = SparkplugValueKind.Other;
                        }

                        UnknownFieldSet.MergeFieldFrom(null, ref input);
                        break;
                }
            }
        }

        void IBufferMessage.InternalWriteTo(ref WriteContext output) => throw new NotSupportedException();

        void IMessage.MergeFrom(CodedInputStream input) => input.ReadRawMessage(this);

        void IMessage.WriteTo(CodedOutputStream output) => throw new NotSupportedException();

        int IMessage.CalculateSize() => throw new NotSupportedException();
    }
}
