using System.Text;
using System.Text.Json;
using SmartCity.IoT.IntegrationTests.Infrastructure;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>
/// A JavaScript codec that loops forever on one frame, on the real servers: the shipped fieldsense/th-lora codec
/// (firmware 1.x) never advances past an unknown record type (0x09). That frame is cut off by the sandbox's time limit
/// and dead-lettered with the reason; frames before and after it, of the same device, another device of that profile
/// and a JSON device, land in InfluxDB 1.6.7.
/// </summary>
public sealed class CodecTimeLimitEndToEndTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_endless_codec_loop_is_cut_off_and_dead_lettered_while_the_other_readings_land()
    {
        using var influx = new InfluxHttp(TestEnvironment.InfluxUrl);
        var database = await influx.NewDatabaseAsync("e2e_codec_loop");
        await using var gateway = await GatewayInstance.StartAsync(s => GatewayInstance.WriteTo(s, database));

        var id = Guid.NewGuid().ToString("N")[..6];
        string Frame(string device) => $"fieldsense/{device}/up/2";
        var (a, b, json) = ($"th-{id}a", $"th-{id}b", $"ies-{id}");
        const string Spin = "0100E609"; // a temperature record, then record type 0x09: the codec's loop never ends
        await using (var publisher = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort))
        {
            foreach (var (topic, payload) in new[]
            {
                (Frame(a), "0100E6025A030E1A"),
                (Frame(b), "01FFD7"),
                (Frame(a), Spin),
                (Frame(a), "0100F0"),
                (Frame(b), "0100C8030B54"),
                ($"buildings/hq/floors/3/env/{json}/telemetry", """{"ts":1763884800000,"climate":{"t":23.4,"rh":58.2},"battery":96}"""),
            })
            {
                await publisher.PublishAsync(topic, Encoding.UTF8.GetBytes(payload));
            }
        }

        var (ta, tb, tj) = (await TemperaturesAsync(influx, database, a, 2), await TemperaturesAsync(influx, database, b, 2), await TemperaturesAsync(influx, database, json, 1));
        Assert.Equal([23.0, 24.0], ta);
        Assert.Equal([-4.1, 20.0], tb);
        Assert.Equal([23.4], tj);

        var status = await Eventually.WaitAsync(gateway.StatusAsync, s => s.RecentDeadLetters.Any(d => d.Source == Frame(a)), Wait, "the endless loop's dead letter");
        var letter = Assert.Single(status.RecentDeadLetters, d => d.Source.Contains(id, StringComparison.Ordinal));
        Assert.Equal(Frame(a), letter.Source);
        Assert.Equal("CodecLimit", letter.Reason);
        // Whichever limit the loop reaches first cuts it: the 100 ms time limit on a loaded machine, the statement limit on
        // a fast idle one (a bare loop runs a statement per iteration). The time limit alone is shown on a fake clock in
        // the Devices tests.
        Assert.True(
            letter.Detail.StartsWith("codec th-lora.js timed out after 100 ms, its time limit (cut off ", StringComparison.Ordinal)
            || letter.Detail.StartsWith("codec th-lora.js ran more than its statement limit (", StringComparison.Ordinal),
            letter.Detail);
        Assert.Equal(Spin, letter.Payload);
        output.WriteLine($"dead letter: {letter.Reason}: {letter.Detail}");

        // The dead-letter file has the same record, durable.
        var stored = Directory.GetFiles(status.DeadLetterPath, "deadletter-*.jsonl").SelectMany(File.ReadAllLines).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var record = Assert.Single(stored, r => r.GetProperty("source").GetString()!.Contains(id, StringComparison.Ordinal));
        Assert.Equal("CodecLimit", record.GetProperty("reason").GetString());
        Assert.Equal(letter.Detail, record.GetProperty("detail").GetString());
    }

    /// <summary>The device's temperatures in time order, once <paramref name="count"/> points are there.</summary>
    private static async Task<double[]> TemperaturesAsync(InfluxHttp influx, string database, string device, int count)
    {
        var rows = await Eventually.WaitAsync(
            () => influx.QueryAsync(database, $"SELECT \"temperature\" FROM \"environment\" WHERE \"device\" = '{device}'"),
            r => r.Count >= count,
            Wait,
            $"{count} point(s) of {device} in InfluxDB");
        return rows.OrderBy(r => r["time"].GetInt64()).Select(r => r["temperature"].GetDouble()).ToArray();
    }
}
