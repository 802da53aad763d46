namespace SmartCity.IoT.Core.Decoding;

/// <summary>Hex text to bytes without allocating; spaces, ':' and '-' between bytes are ignored, an optional 0x prefix is allowed.</summary>
public static class HexText
{
    public static bool TryDecode(ReadOnlySpan<byte> utf8, Span<byte> destination, out int written)
    {
        written = 0;
        if (utf8.Length >= 2 && utf8[0] == '0' && (utf8[1] | 0x20) == 'x')
        {
            utf8 = utf8[2..];
        }

        var high = -1;
        foreach (var c in utf8)
        {
            if (c is (byte)' ' or (byte)':' or (byte)'-' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                if (high >= 0)
                {
                    return false;
                }

                continue;
            }

            var v = c switch
            {
                >= (byte)'0' and <= (byte)'9' => c - '0',
                >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
                _ => -1,
            };
            if (v < 0)
            {
                return false;
            }

            if (high < 0)
            {
                high = v;
            }
            else
            {
                if (written == destination.Length)
                {
                    return false;
                }

                destination[written++] = (byte)((high << 4) | v);
                high = -1;
            }
        }

        return high < 0;
    }

    /// <summary>
    /// Bytes as lower-case hex pairs separated by spaces (<c>01 67 ff d7</c>), at most <paramref name="maxBytes"/> of them
    /// followed by "… (N bytes)": how binary payloads appear in error messages and dead-letter reasons (never as raw bytes).
    /// </summary>
    public static string Format(ReadOnlySpan<byte> bytes, int maxBytes = 64)
    {
        if (bytes.IsEmpty)
        {
            return "(empty)";
        }

        var shown = Math.Min(bytes.Length, maxBytes);
        var text = string.Create(shown * 3 - 1, bytes[..shown].ToArray(), static (span, b) =>
        {
            const string digits = "0123456789abcdef";
            for (var i = 0; i < b.Length; i++)
            {
                if (i > 0)
                {
                    span[i * 3 - 1] = ' ';
                }

                span[i * 3] = digits[b[i] >> 4];
                span[i * 3 + 1] = digits[b[i] & 0xF];
            }
        });
        return shown < bytes.Length ? $"{text} … ({bytes.Length} bytes)" : text;
    }

    /// <summary>
    /// A payload value for a message: <c>'text'</c> when it is printable UTF-8 (cut at <paramref name="maxChars"/>), else
    /// <c>bytes (hex) 01 67 00 ea</c>, so a binary payload never lands raw in a reason or a log.
    /// </summary>
    public static string Quote(ReadOnlySpan<byte> value, int maxChars = 64)
    {
        if (System.Text.Unicode.Utf8.IsValid(value))
        {
            var text = System.Text.Encoding.UTF8.GetString(value);
            if (!text.AsSpan().ContainsAnyInRange('\u0000', '\u001f') && !text.Contains('\u007f', StringComparison.Ordinal))
            {
                return "'" + (text.Length <= maxChars ? text : text[..maxChars] + "…") + "'";
            }
        }

        return "bytes (hex) " + Format(value, maxChars / 2);
    }
}

