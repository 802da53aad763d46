using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>How the bytes of one binary frame become values: a fixed layout or a list of records.</summary>
public interface IFrameLayout
{
    /// <summary>Sets the frame's values on <paramref name="reading"/>; a frame that does not fit fails <paramref name="ctx"/> naming the byte offset.</summary>
    void Decode(ReadOnlySpan<byte> frame, Reading reading, ref DecodeContext ctx);
}
