using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>Decodes one payload format into a <see cref="Reading"/>. Implementations are immutable and thread-safe.</summary>
public abstract class PayloadDecoder
{
    /// <summary>
    /// Decodes <paramref name="payload"/>. <paramref name="fieldKey"/> is the topic's <c>{field}</c> segment (empty when none).
    /// Values are set on <paramref name="reading"/>; problems go into <paramref name="ctx"/>.
    /// </summary>
    public abstract void Decode(ReadOnlySpan<byte> payload, ReadOnlySpan<char> fieldKey, Reading reading, ref DecodeContext ctx);

    /// <summary>Every field this decoder can produce.</summary>
    public abstract IReadOnlyList<FieldMapping> Fields { get; }
}
