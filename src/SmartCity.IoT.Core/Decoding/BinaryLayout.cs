using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>A fixed binary layout: the fields of one frame. Decoding allocates nothing for a well-formed frame.</summary>
public sealed class BinaryLayout
{
    private readonly BinaryField[] _fields;

    public BinaryLayout(IEnumerable<BinaryField> fields)
    {
        _fields = fields.ToArray();
        MinLength = _fields.Length == 0 ? 0 : _fields.Max(f => f.End);
    }

    public IReadOnlyList<BinaryField> Fields => _fields;

    /// <summary>The frame must be at least this long (the end of the last field).</summary>
    public int MinLength { get; }

    public void Decode(ReadOnlySpan<byte> frame, Reading reading, ref DecodeContext ctx)
    {
        if (frame.Length < MinLength)
        {
            ctx.Fail(DecodeError.MalformedPayload, $"binary payload has {frame.Length} byte(s), the layout needs at least {MinLength}");
            return;
        }

        foreach (var f in _fields)
        {
            f.Mapping.ApplyNumber(f.Read(frame), reading, ref ctx);
        }
    }
}
