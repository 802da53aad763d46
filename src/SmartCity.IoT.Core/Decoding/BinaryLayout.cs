using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// A fixed binary layout: the fields of one frame, optionally its exact length and marker bytes it must carry, so a frame of
/// another shape (another firmware's, another frame type's) is rejected rather than read as plausible wrong numbers.
/// Decoding allocates nothing for a well-formed frame.
/// </summary>
public sealed class BinaryLayout : IFrameLayout
{
    private readonly BinaryField[] _fields;
    private readonly BinaryMarker[] _markers;

    public BinaryLayout(IEnumerable<BinaryField> fields, int frameLength = 0, IEnumerable<BinaryMarker>? markers = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frameLength);
        _fields = fields.ToArray();
        _markers = markers?.ToArray() ?? [];
        MinLength = Math.Max(_fields.Length == 0 ? 0 : _fields.Max(f => f.End), _markers.Length == 0 ? 0 : _markers.Max(m => m.End));
        if (frameLength > 0 && frameLength < MinLength)
        {
            throw new ArgumentOutOfRangeException(nameof(frameLength), $"the frame length {frameLength} is shorter than the layout's {MinLength} bytes");
        }

        FrameLength = frameLength;
    }

    public IReadOnlyList<BinaryField> Fields => _fields;

    public IReadOnlyList<BinaryMarker> Markers => _markers;

    /// <summary>The frame must be at least this long (the end of the last field or marker).</summary>
    public int MinLength { get; }

    /// <summary>The exact length a frame must have, or 0 when any length from <see cref="MinLength"/> up is accepted.</summary>
    public int FrameLength { get; }

    /// <summary>The layout can tell a frame of another shape: it asserts a length or marker bytes.</summary>
    public bool IsAsserted => FrameLength > 0 || _markers.Length > 0;

    public void Decode(ReadOnlySpan<byte> frame, Reading reading, ref DecodeContext ctx)
    {
        if (FrameLength > 0 && frame.Length != FrameLength)
        {
            ctx.Fail(DecodeError.MalformedPayload, $"binary frame has {frame.Length} byte(s), the layout is exactly {FrameLength} (byte {Math.Min(frame.Length, FrameLength)} is where they part); frame (hex): {HexText.Format(frame)}");
            return;
        }

        if (frame.Length < MinLength)
        {
            ctx.Fail(DecodeError.MalformedPayload, $"binary payload has {frame.Length} byte(s), the layout needs at least {MinLength} (truncated at byte {frame.Length}); frame (hex): {HexText.Format(frame)}");
            return;
        }

        foreach (var m in _markers)
        {
            if (!frame.Slice(m.Offset, m.Bytes.Length).SequenceEqual(m.Bytes))
            {
                ctx.Fail(DecodeError.MalformedPayload, $"marker at byte {m.Offset} is {HexText.Format(frame.Slice(m.Offset, m.Bytes.Length))}, the layout expects {HexText.Format(m.Bytes)} (another frame type or firmware?); frame (hex): {HexText.Format(frame)}");
                return;
            }
        }

        foreach (var f in _fields)
        {
            f.Mapping.ApplyNumber(f.Read(frame), reading, ref ctx);
        }
    }
}
