using System.Buffers;
using System.Text;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.LineProtocol;

namespace SmartCity.IoT.Core.Tests.LineProtocol;

/// <summary>The <c>alerts</c> measurement: one point per transition, never two merged by a shared timestamp.</summary>
public sealed class AlertLineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 8, 0, 0, 123, TimeSpan.Zero);

    [Fact]
    public void Transitions_of_one_series_within_one_millisecond_keep_their_own_timestamps()
    {
        const int n = 10;
        var lines = Enumerable.Range(0, n).Select(i => Write(Alert(T0.AddTicks(i)))).ToArray();
        var series = lines.Select(l => l[..l.IndexOf(' ', StringComparison.Ordinal)]).Distinct();
        Assert.Single(series);
        var times = lines.Select(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(n, times.Distinct().Count());
        Assert.Equal((T0.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100, times[0]);
        Assert.Equal(100, times[1] - times[0]);
    }

    [Fact]
    public void An_enum_or_boolean_value_is_written_by_name_in_its_own_field()
    {
        var line = Write(Alert(T0) with { Value = 4, ValueText = "fault" });
        Assert.Contains(" fingerprint=\"f1\",value_text=\"fault\",summary=\"s\" ", line, StringComparison.Ordinal);
        Assert.Contains(" fingerprint=\"f1\",value=4,summary=\"s\" ", Write(Alert(T0) with { Value = 4 }), StringComparison.Ordinal);
    }

    private static Alert Alert(DateTimeOffset at) => new()
    {
        Fingerprint = "f1",
        RuleName = "r",
        Status = AlertStatus.Firing,
        Severity = AlertSeverity.Warning,
        ProfileId = "acme/x",
        Family = "environment",
        DeviceId = "d1",
        Labels = new Dictionary<string, string> { ["building"] = "hq" },
        Annotations = new Dictionary<string, string> { ["summary"] = "s" },
        StartsAt = at,
        At = at,
    };

    private static string Write(Alert alert)
    {
        var buffer = new ArrayBufferWriter<byte>();
        LineProtocolWriter.WriteAlert(buffer, alert);
        return Encoding.UTF8.GetString(buffer.WrittenSpan).TrimEnd('\n');
    }
}
