using System.Buffers;
using System.Text.Unicode;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// Turns tag values read from payload bytes into strings once per distinct value, so a steady stream of known values
/// allocates nothing. Bounded: past <see cref="Capacity"/> distinct values each new one is allocated and not kept.
/// </summary>
public sealed class TagValueInterner
{
    /// <summary>The longest tag value kept; longer ones are cut on a character boundary.</summary>
    public const int MaxChars = 256;
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

    /// <summary>Returns the interned string for UTF-8 text (cut to <see cref="MaxChars"/> chars), or null when the text is not valid UTF-8.</summary>
    public string? Intern(ReadOnlySpan<byte> utf8) => Intern(utf8, out _);

    /// <summary>As <see cref="Intern(ReadOnlySpan{byte})"/>; <paramref name="truncated"/> says the text was cut (never inside a character).</summary>
    public string? Intern(ReadOnlySpan<byte> utf8, out bool truncated)
    {
        Span<char> chars = stackalloc char[MaxChars];
        var status = Utf8.ToUtf16(utf8, chars, out _, out var n, replaceInvalidSequences: false);
        truncated = status == OperationStatus.DestinationTooSmall;
        if (status is OperationStatus.InvalidData or OperationStatus.NeedMoreData)
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
