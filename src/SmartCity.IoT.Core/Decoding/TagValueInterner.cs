using System.Text;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// Turns tag values read from payload bytes into strings once per distinct value, so a steady stream of known values
/// allocates nothing. Bounded: past <see cref="Capacity"/> distinct values each new one is allocated and not kept.
/// </summary>
public sealed class TagValueInterner
{
    private const int MaxChars = 256;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public TagValueInterner(int capacity = 4096)
    {
        Capacity = capacity;
        _lookup = _values.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Capacity { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _values.Count;
            }
        }
    }

    /// <summary>Returns the interned string for UTF-8 text (truncated to 256 chars), or null when the text is not valid UTF-8.</summary>
    public string? Intern(ReadOnlySpan<byte> utf8)
    {
        Span<char> chars = stackalloc char[MaxChars];
        if (utf8.Length > MaxChars)
        {
            utf8 = utf8[..MaxChars];
        }

        int n;
        try
        {
            n = Encoding.UTF8.GetChars(utf8, chars);
        }
        catch (ArgumentException)
        {
            return null;
        }

        var text = chars[..n];
        lock (_gate)
        {
            if (_lookup.TryGetValue(text, out var known))
            {
                return known;
            }

            var s = text.ToString();
            if (_values.Count < Capacity)
            {
                _values.Add(s);
            }

            return s;
        }
    }
}
