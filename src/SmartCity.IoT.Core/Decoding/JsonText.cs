using System.Text.Json;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>String tokens of a JSON payload without allocating.</summary>
internal static class JsonText
{
    /// <summary>Room on the stack for an escaped string token (longer ones are used raw).</summary>
    public const int ScratchBytes = 256;

    /// <summary>Unescapes a string token into <paramref name="scratch"/>; returns -1 when it has no escapes (use ValueSpan) or does not fit.</summary>
    public static int Unescape(ref Utf8JsonReader reader, scoped Span<byte> scratch)
    {
        if (!reader.ValueIsEscaped || reader.ValueSpan.Length > scratch.Length)
        {
            return -1;
        }

        return reader.CopyString(scratch);
    }
}
