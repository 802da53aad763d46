using System.Text;

namespace SmartCity.IoT.Influx.Http;

/// <summary>Line boundaries of a batch, for the rare paths that need them: splitting (413) and picking out refused lines.</summary>
internal static class LineBatch
{
    /// <summary>Ranges of the non-empty lines (without the newline).</summary>
    public static List<Range> Lines(ReadOnlySpan<byte> batch)
    {
        var result = new List<Range>();
        var start = 0;
        while (start < batch.Length)
        {
            var length = batch[start..].IndexOf((byte)'\n');
            var end = length < 0 ? batch.Length : start + length;
            var lineEnd = end > start && batch[end - 1] == (byte)'\r' ? end - 1 : end;
            if (lineEnd > start)
            {
                result.Add(new Range(start, lineEnd));
            }

            start = end + 1;
        }

        return result;
    }

    public static List<string> Texts(ReadOnlySpan<byte> batch, List<Range> lines)
    {
        var texts = new List<string>(lines.Count);
        foreach (var range in lines)
        {
            texts.Add(Encoding.UTF8.GetString(batch[range]));
        }

        return texts;
    }

    /// <summary>Splits at the line boundary nearest the middle; both halves are non-empty when the batch has two or more lines.</summary>
    public static (ReadOnlyMemory<byte> First, int FirstLines, ReadOnlyMemory<byte> Second, int SecondLines) Halve(ReadOnlyMemory<byte> batch)
    {
        var lines = Lines(batch.Span);
        var half = lines.Count / 2;
        var cut = lines[half].Start.Value;
        return (batch[..cut], half, batch[cut..], lines.Count - half);
    }

    /// <summary>A new batch of the lines whose index is not in <paramref name="skip"/>.</summary>
    public static (byte[] Batch, int Lines) Without(ReadOnlySpan<byte> batch, List<Range> lines, IReadOnlyDictionary<int, string> skip)
    {
        var buffer = new MemoryStream(batch.Length);
        var count = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            if (!skip.ContainsKey(i))
            {
                buffer.Write(batch[lines[i]]);
                buffer.WriteByte((byte)'\n');
                count++;
            }
        }

        return (buffer.ToArray(), count);
    }
}
