using System.Text;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>The payload words meaning online and offline on an availability / last-will topic (compared ASCII case-insensitively).</summary>
public sealed class AvailabilityValues
{
    public AvailabilityValues(IEnumerable<string> online, IEnumerable<string> offline)
    {
        Online = online.ToArray();
        Offline = offline.ToArray();
        OnlineUtf8 = Online.Select(Encoding.UTF8.GetBytes).ToArray();
        OfflineUtf8 = Offline.Select(Encoding.UTF8.GetBytes).ToArray();
    }

    public IReadOnlyList<string> Online { get; }

    public IReadOnlyList<string> Offline { get; }

    public byte[][] OnlineUtf8 { get; }

    public byte[][] OfflineUtf8 { get; }

    public void Apply(ReadOnlySpan<byte> text, ref DecodeContext ctx)
    {
        text = text.Trim(" \t\r\n\""u8);
        foreach (var w in OnlineUtf8)
        {
            if (Ascii.EqualsIgnoreCase(text, w))
            {
                ctx.AvailabilityKnown = true;
                ctx.Online = true;
                return;
            }
        }

        foreach (var w in OfflineUtf8)
        {
            if (Ascii.EqualsIgnoreCase(text, w))
            {
                ctx.AvailabilityKnown = true;
                ctx.Online = false;
                return;
            }
        }

        ctx.Fail(DecodeError.UnknownAvailability, $"availability value {HexText.Quote(text)} is neither online ({string.Join(", ", Online)}) nor offline ({string.Join(", ", Offline)})");
    }
}
