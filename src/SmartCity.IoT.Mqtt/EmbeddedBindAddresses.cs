using System.Net;

namespace SmartCity.IoT.Mqtt;

/// <summary>Where the embedded broker listens: one address, or both loopback addresses for <c>localhost</c>.</summary>
internal static class EmbeddedBindAddresses
{
    public static bool TryParse(string? text, out (IPAddress? V4, IPAddress? V6) addresses)
    {
        addresses = default;
        if (string.Equals(text?.Trim(), "localhost", StringComparison.OrdinalIgnoreCase))
        {
            addresses = (IPAddress.Loopback, IPAddress.IPv6Loopback);
            return true;
        }

        if (!IPAddress.TryParse(text?.Trim().Trim('[', ']'), out var ip))
        {
            return false;
        }

        addresses = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? (null, ip) : (ip, null);
        return true;
    }
}
