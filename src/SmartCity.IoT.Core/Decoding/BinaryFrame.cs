using System.Buffers;
using System.Buffers.Text;
using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>Decodes a binary frame carried raw, as hex or as base64, then applies its layout.</summary>
public static class BinaryFrame
{
    private const int StackLimit = 512;

    public static void Decode(ReadOnlySpan<byte> carried, BinaryEncoding encoding, IFrameLayout layout, string where, Reading reading, ref DecodeContext ctx)
    {
        if (encoding == BinaryEncoding.Raw)
        {
            layout.Decode(carried, reading, ref ctx);
            return;
        }

        var max = encoding == BinaryEncoding.Hex ? carried.Length / 2 + 1 : Base64.GetMaxDecodedFromUtf8Length(carried.Length);
        byte[]? rented = null;
        Span<byte> buffer = max <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int written;
            if (encoding == BinaryEncoding.Hex)
            {
                if (!HexText.TryDecode(carried, buffer, out written))
                {
                    ctx.Fail(DecodeError.MalformedPayload, $"{where}: not valid hex text");
                    return;
                }
            }
            else if (Base64.DecodeFromUtf8(carried.Trim(" \r\n"u8), buffer, out _, out written) != OperationStatus.Done)
            {
                ctx.Fail(DecodeError.MalformedPayload, $"{where}: not valid base64 text");
                return;
            }

            layout.Decode(buffer[..written], reading, ref ctx);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
