using System.Text;

namespace SmartCity.IoT.Core.DeadLetters;

/// <summary>Cuts a payload to the kept size and turns it into text (printable UTF-8) or base64 (anything else, binary frames included).</summary>
internal static class DeadLetterPayload
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static (string Text, bool IsBase64) Describe(ReadOnlySpan<byte> payload, int maxBytes, out bool truncated)
    {
        truncated = payload.Length > maxBytes;
        var kept = truncated ? payload[..maxBytes] : payload;
        if (TryDecodeUtf8(kept, truncated, out var text))
        {
            return (text, false);
        }

        return (Convert.ToBase64String(kept), true);
    }

    private static bool TryDecodeUtf8(ReadOnlySpan<byte> bytes, bool truncated, out string text)
    {
        // A cut may split a multi-byte character: back off to a character boundary.
        if (truncated)
        {
            var end = bytes.Length;
            while (end > 0 && end > bytes.Length - 4 && (bytes[end - 1] & 0xC0) == 0x80)
            {
                end--;
            }

            if (end > 0 && bytes[end - 1] >= 0xC0)
            {
                end--;
            }

            bytes = bytes[..end];
        }

        try
        {
            text = StrictUtf8.GetString(bytes);
            // Control bytes other than line breaks and tabs mean a binary frame that happens to be valid UTF-8: keep its bytes.
            foreach (var c in text)
            {
                if ((c < ' ' && c is not ('\t' or '\r' or '\n')) || c == '\u007f')
                {
                    text = "";
                    return false;
                }
            }

            return true;
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }
}
