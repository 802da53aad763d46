using System.Text;

namespace SmartCity.IoT.IntegrationTests.Infrastructure;

/// <summary>One reading of the IES-300 environment profile carrying only CO2: what the alert tests publish.</summary>
internal static class Co2Reading
{
    public static string Topic(string device, int floor = 3) => $"buildings/hq/floors/{floor}/env/{device}/telemetry";

    public static byte[] Payload(int co2, long? timestampMs = null) =>
        Encoding.UTF8.GetBytes("{\"ts\":" + (timestampMs ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()) + ",\"air\":{\"co2\":" + co2 + "}}");
}
