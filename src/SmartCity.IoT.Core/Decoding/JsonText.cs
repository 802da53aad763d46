using System.Buffers;
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

    /// <summary>
    /// A string token as an interned tag value: unescaped whatever its length, cut to <see cref="TagValueInterner.MaxChars"/>
    /// characters on a character boundary, with a <see cref="DecodeError.TagTruncated"/> note when cut. Null for invalid text.
    /// </summary>
    public static string? InternString(ref Utf8JsonReader reader, PayloadTag tag, ref DecodeContext ctx)
    {
        var raw = reader.ValueSpan;
        string? value;
        bool truncated;
        if (!reader.ValueIsEscaped)
        {
            value = tag.Values.Intern(raw, out truncated);
        }
        else if (raw.Length <= 1024)
        {
            Span<byte> buffer = stackalloc byte[1024];
            value = tag.Values.Intern(buffer[..reader.CopyString(buffer)], out truncated);
        }
        else
        {
            var rented = ArrayPool<byte>.Shared.Rent(raw.Length);
            value = tag.Values.Intern(rented.AsSpan(0, reader.CopyString(rented)), out truncated);
            ArrayPool<byte>.Shared.Return(rented);
        }

        if (truncated)
        {
            ctx.Reject(DecodeError.TagTruncated, $"tag '{tag.Key}' ({tag.Source}): the value is longer than {TagValueInterner.MaxChars} characters and was cut to its first {TagValueInterner.MaxChars}");
        }

        return value;
    }
}
