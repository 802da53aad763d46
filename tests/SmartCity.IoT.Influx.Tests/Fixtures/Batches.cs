using System.Text;

namespace SmartCity.IoT.Influx.Tests.Fixtures;

internal static class Batches
{
    /// <summary>Lines <c>measurement,src=test v=K TIME</c> for K in [from, from+count), one point each, distinct timestamps.</summary>
    public static byte[] Numbered(string measurement, int from, int count, long baseTimeNs = 1_763_856_000_000_000_000)
    {
        var text = new StringBuilder();
        for (var k = from; k < from + count; k++)
        {
            text.Append(measurement).Append(",src=test v=").Append(k).Append(' ').Append(baseTimeNs + (k * 1_000_000L)).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public static byte[] Of(params string[] lines) => Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n");
}
