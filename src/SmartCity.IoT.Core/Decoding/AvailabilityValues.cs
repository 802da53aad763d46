using System.Text;
using SmartCity.IoT.Core.Devices;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// The payload words of an availability / last-will topic and the <see cref="DeviceAvailability"/> each means
/// (compared ASCII case-insensitively): online and offline, and optionally sleeping (Homie's <c>sleeping</c>) and
/// unknown (words that change nothing, such as Homie's <c>alert</c>).
/// </summary>
public sealed class AvailabilityValues
{
    private readonly (byte[] Word, DeviceAvailability State)[] _words;

    public AvailabilityValues(IEnumerable<string> online, IEnumerable<string> offline, IEnumerable<string>? sleeping = null, IEnumerable<string>? unknown = null)
    {
        Online = online.ToArray();
        Offline = offline.ToArray();
        Sleeping = sleeping?.ToArray() ?? [];
        Unknown = unknown?.ToArray() ?? [];
        OnlineUtf8 = Online.Select(Encoding.UTF8.GetBytes).ToArray();
        OfflineUtf8 = Offline.Select(Encoding.UTF8.GetBytes).ToArray();
        _words = Online.Select(w => (w, DeviceAvailability.Online))
            .Concat(Offline.Select(w => (w, DeviceAvailability.Offline)))
            .Concat(Sleeping.Select(w => (w, DeviceAvailability.Sleeping)))
            .Concat(Unknown.Select(w => (w, DeviceAvailability.Unknown)))
            .Select(p => (Encoding.UTF8.GetBytes(p.w), p.Item2))
            .ToArray();
    }

    public IReadOnlyList<string> Online { get; }

    public IReadOnlyList<string> Offline { get; }

    public IReadOnlyList<string> Sleeping { get; }

    public IReadOnlyList<string> Unknown { get; }

    public byte[][] OnlineUtf8 { get; }

    public byte[][] OfflineUtf8 { get; }

    public void Apply(ReadOnlySpan<byte> text, ref DecodeContext ctx)
    {
        text = text.Trim(" \t\r\n\""u8);
        foreach (var (word, state) in _words)
        {
            if (Ascii.EqualsIgnoreCase(text, word))
            {
                ctx.SetAvailability(state);
                return;
            }
        }

        ctx.Fail(DecodeError.UnknownAvailability, $"availability value {HexText.Quote(text)} is none of {Describe()}");
    }

    private string Describe()
    {
        var parts = new List<string> { $"online ({string.Join(", ", Online)})", $"offline ({string.Join(", ", Offline)})" };
        if (Sleeping.Count > 0)
        {
            parts.Add($"sleeping ({string.Join(", ", Sleeping)})");
        }

        if (Unknown.Count > 0)
        {
            parts.Add($"unknown ({string.Join(", ", Unknown)})");
        }

        return string.Join(", ", parts);
    }
}
