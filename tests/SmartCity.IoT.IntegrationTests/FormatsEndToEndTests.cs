using System.Text;
using System.Text.Json;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Mqtt;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>
/// The JSON-family formats (SenML, JSON arrays with instance tags, JSON filters with units in the payload), Sparkplug B
/// and a JavaScript codec, each through Mosquitto into InfluxDB 1.6.7 with the shipped example profiles: payloads and
/// expected values are those profiles' samples (device names made unique per run). Exact values, field types and tags
/// are read back with InfluxQL; malformed messages are dead-lettered with their reason code and detail.
/// </summary>
public sealed class FormatsEndToEndTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Senml_packs_land_by_name_base_values_and_units_and_bad_packs_are_dead_lettered()
    {
        await using var run = await Run.StartAsync("e2e_senml");
        var id = run.Id;
        var bad = new[]
        {
            new Bad($"buildings/hq/senml/bad-{id}a", $$"""[{"bn":"s-{{id}}x:","n":"temp","v":22.5,"ct_":1}]""", "MalformedPayload", "must-understand label 'ct_'"),
            new Bad($"buildings/hq/senml/bad-{id}b", """[{"bver":11,"n":"temp","v":22.5}]""", "MalformedPayload", "SenML version 11"),
        };
        await run.PublishAsync(
            [
                ($"buildings/hq/senml/gw-{id}", $$"""[{"bn":"s-{{id}}a:","bt":1763856000,"n":"temp","u":"Cel","v":21.5},{"n":"hum","u":"%RH","v":44},{"n":"co2","u":"ppm","v":812},{"n":"pressure","u":"Pa","v":101325}]"""),
                ($"buildings/hq/senml/gw-{id}", $$"""[{"bn":"s-{{id}}b:","bt":1763856000,"bu":"Cel","n":"temp","t":-120,"v":21},{"n":"temp","t":-60,"v":21.25},{"n":"temp","v":21.5}]"""),
                ($"buildings/annex/senml/gw-{id}", $$"""[{"bn":"s-{{id}}c/","bt":1763856000,"n":"temp","u":"K","v":294.65},{"bn":"s-{{id}}d/","bv":20,"n":"temp","u":"Cel","v":3.5}]"""),
                ($"buildings/hq/senml/s-{id}e", """[{"n":"temp","u":"lx","v":300},{"n":"hum","u":"%RH","v":51}]"""),
            ],
            bad);

        var a = Assert.Single(await run.RowsAsync("environment", $"s-{id}a", 1));
        Assert.Equal(21.5, a["temperature"].GetDouble());
        Assert.Equal(44, a["humidity"].GetDouble());
        Assert.Equal(812, a["co2"].GetDouble());
        Assert.Equal(1013.3, a["pressure"].GetDouble());
        Assert.Equal("hq", a["building"].GetString());
        Assert.Equal("senml/environment", a["model"].GetString());
        Assert.Equal(1763856000_000000000L, a["time"].GetInt64());

        // Relative times against the base time give three points of one device.
        var b = await run.RowsAsync("environment", $"s-{id}b", 3);
        Assert.Equal([(1763855880_000000000L, 21.0), (1763855940_000000000L, 21.25), (1763856000_000000000L, 21.5)], b.Select(r => (r["time"].GetInt64(), r["temperature"].GetDouble())).OrderBy(p => p.Item1));

        // Two devices in one pack: kelvin converted, a base value added; the topic's building tags both.
        var c = Assert.Single(await run.RowsAsync("environment", $"s-{id}c", 1));
        Assert.Equal(21.5, c["temperature"].GetDouble());
        Assert.Equal("annex", c["building"].GetString());
        var d = Assert.Single(await run.RowsAsync("environment", $"s-{id}d", 1));
        Assert.Equal(23.5, d["temperature"].GetDouble());
        Assert.Equal("annex", d["building"].GetString());

        // A unit with no conversion loses that value only; the topic names the device when there is no base name.
        var e = Assert.Single(await run.RowsAsync("environment", $"s-{id}e", 1));
        Assert.Equal(51, e["humidity"].GetDouble());
        Assert.Equal(JsonValueKind.Null, e["temperature"].ValueKind);

        var types = await run.FieldTypesAsync("environment");
        Assert.Equal("float", types["temperature"]);
        Assert.Equal("float", types["co2"]);
        await run.AssertDeadLetteredAsync(bad);
    }

    [Fact]
    public async Task Json_array_probes_land_as_instances_and_a_bad_time_is_dead_lettered()
    {
        await using var run = await Run.StartAsync("e2e_rackwatch");
        var device = $"rt4-{run.Id}";
        var bad = new[] { new Bad($"buildings/hq/racks/{device}x/data", """{"time":"23/11/2025 08:00","probes":[{"ch":1,"t":24.2}]}""", "BadTimestamp", "") };
        await run.PublishAsync(
            [
                ($"buildings/hq/racks/{device}/data", """{"time":"2025-11-23 08:00:00Z","bat":3610,"probes":[{"ch":1,"t":24.2},{"ch":2,"t":31.5}]}"""),
                ($"buildings/hq/racks/{device}/data", """{"probes":[{"t":29,"ch":4},{"t":23.9,"ch":3}],"time":"2025-11-23T08:05:00Z"}"""),
                ($"buildings/hq/racks/{device}/data", """{"time":"2025-11-23 08:10:00Z","probes":[{"ch":1,"t":"err"},{"ch":2,"t":28.25}]}"""),
            ],
            bad);

        var rows = await run.RowsAsync("environment", device, 6);
        string? Probe(Dictionary<string, JsonElement> r) => r["probe"].ValueKind == JsonValueKind.Null ? null : r["probe"].GetString();
        var own = Assert.Single(rows, r => Probe(r) is null);
        Assert.Equal(3.61, own["battery_voltage"].GetDouble());
        Assert.Equal(1763884800_000000000L, own["time"].GetInt64());
        Assert.Equal(
            [("1", 1763884800_000000000L, 24.2), ("2", 1763884800_000000000L, 31.5), ("2", 1763885400_000000000L, 28.25), ("3", 1763885100_000000000L, 23.9), ("4", 1763885100_000000000L, 29.0)],
            rows.Where(r => Probe(r) is not null).Select(r => (Probe(r)!, r["time"].GetInt64(), r["temperature"].GetDouble())).OrderBy(p => p.Item1).ThenBy(p => p.Item2));
        Assert.All(rows, r => Assert.Equal("hq", r["building"].GetString()));
        Assert.Equal("float", (await run.FieldTypesAsync("environment"))["temperature"]);
        await run.AssertDeadLetteredAsync(bad);
    }

    [Fact]
    public async Task Json_filters_with_units_in_the_payload_land_converted_and_no_known_value_is_dead_lettered()
    {
        await using var run = await Run.StartAsync("e2e_airsense");
        var device = $"pm1-{run.Id}";
        string Topic(string d) => $"sites/kai-tak/airsense/{d}/measurements";
        var bad = new[] { new Bad(Topic(device + "x"), """{"ts":1763884800,"data":[{"type":"noise","value":61}]}""", "NoValidFields", "") };
        await run.PublishAsync(
            [
                (Topic(device), """{"ts":1763884800,"data":[{"type":"pm2_5","value":9.3,"unit":"µg/m³"},{"type":"pm10","unit":"mg/m3","value":0.021},{"type":"temp","value":71.6,"unit":"°F"},{"type":"rh","value":645}]}"""),
                (Topic(device), """{"data":[{"value":412,"type":"rh"},{"type":"temp","value":23.5},{"value":12,"type":"pm2_5"}],"ts":1763885100}"""),
                (Topic(device), """{"ts":1763885400,"data":[{"type":"pm2_5","value":0.4,"unit":"grains/ft3"},{"type":"pm10","value":30,"unit":"ug/m3"}]}"""),
            ],
            bad);

        var rows = (await run.RowsAsync("environment", device, 3)).OrderBy(r => r["time"].GetInt64()).ToList();
        Assert.Equal(1763884800_000000000L, rows[0]["time"].GetInt64());
        Assert.Equal(9.3, rows[0]["pm2_5"].GetDouble());
        Assert.Equal(21, rows[0]["pm10"].GetDouble());
        Assert.Equal(22, rows[0]["temperature"].GetDouble());
        Assert.Equal(64.5, rows[0]["humidity"].GetDouble());
        Assert.Equal(12, rows[1]["pm2_5"].GetDouble());
        Assert.Equal(23.5, rows[1]["temperature"].GetDouble());
        Assert.Equal(41.2, rows[1]["humidity"].GetDouble());
        Assert.Equal(JsonValueKind.Null, rows[1]["pm10"].ValueKind);
        Assert.Equal(30, rows[2]["pm10"].GetDouble());
        Assert.Equal(JsonValueKind.Null, rows[2]["pm2_5"].ValueKind);
        Assert.All(rows, r => Assert.Equal("kai-tak", r["site"].GetString()));
        Assert.Equal("float", (await run.FieldTypesAsync("environment"))["pm2_5"]);
        await run.AssertDeadLetteredAsync(bad);
    }

    [Fact]
    public async Task Sparkplug_births_and_data_by_alias_land_and_data_before_birth_is_dead_lettered()
    {
        await using var run = await Run.StartAsync("e2e_sparkplug");
        var group = $"plant-{run.Id}";
        string Topic(string type, string node, string? device = null) => $"spBv1.0/{group}/{type}/{node}" + (device is null ? "" : "/" + device);

        // The profile's sample payloads (seq 0, 1, 2 from gw-01); gw-02 never births.
        const string NBirth = "0880B0E8FDAA33120B0A05626453657120045803121A0A144E6F646520436F6E74726F6C2F52656269727468200B7000121E0A1353656E736F72732F54656D706572617475726510012009650000AC411800";
        const string DBirth = "08E8B7E8FDAA33121E0A1353656E736F72732F54656D7065726174757265100A2009650000B241121B0A1053656E736F72732F48756D6964697479100B2009650000264212140A0B53656E736F72732F434F32100C200650800512150A0D526F6F6D2F4F63637570696564100D200B700112200A1350726F706572746965732F4669726D77617265100E200C7A05322E342E311801";
        const string DDataByAlias = "08C88CECFDAA33120E100A18D488ECFDAA33650000B6411205100C508E071802";
        const string DDataByName = "08A8E1EFFDAA3312170A1053656E736F72732F48756D6964697479650000304212110A0D526F6F6D2F4F6363757069656470001802";
        const string UnknownAlias = "08C88CECFDAA331207100A650000B8411204106350051802";
        var bad = new[]
        {
            new Bad(Topic("DDATA", "gw-02", "room-101"), DDataByAlias, "BirthMissing", "", Hex: true),
            new Bad(Topic("DDATA", "gw-01", "room-101"), UnknownAlias, "UnknownMetric", "alias 99 was not announced", Hex: true),
        };
        await run.PublishAsync(
            [
                (Topic("NBIRTH", "gw-01"), NBirth),
                (Topic("DBIRTH", "gw-01", "room-101"), DBirth),
                (Topic("DDATA", "gw-01", "room-101"), DDataByAlias),
                (Topic("DDATA", "gw-01", "room-101"), DDataByName),
            ],
            bad,
            hex: true);

        var node = Assert.Single(await run.RowsAsync("environment", "gw-01", 1, $"\"group\" = '{group}' AND "));
        Assert.Equal(21.5, node["temperature"].GetDouble());
        Assert.Equal("gw-01", node["edge_node"].GetString());
        Assert.Equal(1763884800_000000000L, node["time"].GetInt64());

        var room = (await run.RowsAsync("environment", "gw-01/room-101", 4, $"\"group\" = '{group}' AND ")).OrderBy(r => r["time"].GetInt64()).ToList();
        Assert.All(room, r => Assert.Equal("gw-01", r["edge_node"].GetString()));
        Assert.Equal(1763884801_000000000L, room[0]["time"].GetInt64());
        Assert.Equal(22.25, room[0]["temperature"].GetDouble());
        Assert.Equal(41.5, room[0]["humidity"].GetDouble());
        Assert.Equal(640, room[0]["co2"].GetDouble());
        Assert.True(room[0]["occupancy"].GetBoolean());
        // By alias, the temperature with its own (earlier) metric timestamp.
        Assert.Equal((1763884860_500000000L, 22.75), (room[1]["time"].GetInt64(), room[1]["temperature"].GetDouble()));
        Assert.Equal((1763884861_000000000L, 910.0), (room[2]["time"].GetInt64(), room[2]["co2"].GetDouble()));
        Assert.Equal(1763884921_000000000L, room[3]["time"].GetInt64());
        Assert.Equal(44, room[3]["humidity"].GetDouble());
        Assert.False(room[3]["occupancy"].GetBoolean());

        var types = await run.FieldTypesAsync("environment");
        Assert.Equal("boolean", types["occupancy"]);
        Assert.Equal("float", types["co2"]);
        await run.AssertDeadLetteredAsync(bad);
    }

    [Fact]
    public async Task Codec_frames_land_decoded_and_codec_errors_are_dead_lettered()
    {
        await using var run = await Run.StartAsync("e2e_codec");
        var device = $"th-{run.Id}";
        var bad = new[]
        {
            new Bad($"fieldsense/{device}x/up/2", "0100", "CodecFailed", "truncated record 0x01 at byte 0"),
            new Bad($"fieldsense/{device}y/up/9", "01", "CodecFailed", "unknown fPort 9"),
            new Bad($"fieldsense/{device}z/up/2", "zz", "MalformedPayload", ""),
        };
        await run.PublishAsync(
            [
                ($"fieldsense/{device}/up/2", "0100E6025A030E1A"),
                ($"fieldsense/{device}b/up/2", "01FFD7"),
            ],
            bad);

        var full = Assert.Single(await run.RowsAsync("environment", device, 1));
        Assert.Equal(23, full["temperature"].GetDouble());
        Assert.Equal(45, full["humidity"].GetDouble());
        Assert.Equal(3.61, full["battery_voltage"].GetDouble());
        Assert.Equal("2", full["fport"].GetString());
        Assert.Equal("fieldsense/th-lora", full["model"].GetString());
        var negative = Assert.Single(await run.RowsAsync("environment", device + "b", 1));
        Assert.Equal(-4.1, negative["temperature"].GetDouble());
        Assert.Equal(JsonValueKind.Null, negative["humidity"].ValueKind);
        Assert.Equal("float", (await run.FieldTypesAsync("environment"))["temperature"]);
        await run.AssertDeadLetteredAsync(bad);
    }

    /// <summary>A message that must be dead-lettered: its topic, payload (text, or hex bytes), reason and a part of its detail.</summary>
    private sealed record Bad(string Topic, string Payload, string Reason, string Detail, bool Hex = false);

    /// <summary>One gateway writing to a fresh database of the shared InfluxDB, with a per-run id for device names.</summary>
    private sealed class Run : IAsyncDisposable
    {
        private Run(InfluxHttp influx, string database, GatewayInstance gateway)
        {
            Influx = influx;
            Database = database;
            Gateway = gateway;
        }

        public InfluxHttp Influx { get; }

        public string Database { get; }

        public GatewayInstance Gateway { get; }

        public string Id { get; } = Guid.NewGuid().ToString("N")[..6];

        public static async Task<Run> StartAsync(string prefix)
        {
            var influx = new InfluxHttp(TestEnvironment.InfluxUrl);
            var database = InfluxHttp.NewDatabaseName(prefix);
            await influx.CreateDatabaseAsync(database);
            var gateway = await GatewayInstance.StartAsync(s =>
            {
                s["Influx:Url"] = TestEnvironment.InfluxUrl;
                s["Influx:Api"] = "v1";
                s["Influx:Database"] = database;
            });

            // Connected is not yet subscribed: a message published before the SUBACK is lost.
            await Eventually.WaitAsync(() => Task.FromResult(gateway.Get<MqttIngestClient>().SubscribedFilters.Count), n => n > 0, Wait, "the gateway's subscriptions");
            return new Run(influx, database, gateway);
        }

        public async Task PublishAsync((string Topic, string Payload)[] good, Bad[] bad, bool hex = false)
        {
            await using var publisher = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort);
            foreach (var (topic, payload) in good)
            {
                await publisher.PublishAsync(topic, hex ? Convert.FromHexString(payload) : Encoding.UTF8.GetBytes(payload));
            }

            foreach (var b in bad)
            {
                await publisher.PublishAsync(b.Topic, Bytes(b));
            }
        }

        public async Task<List<Dictionary<string, JsonElement>>> RowsAsync(string measurement, string device, int count, string where = "")
        {
            try
            {
                return await Eventually.WaitAsync(
                    () => Influx.QueryAsync(Database, $"SELECT * FROM \"{measurement}\" WHERE {where}\"device\" = '{device}'"),
                    r => r.Count >= count,
                    Wait,
                    $"{count} point(s) of {device} in InfluxDB");
            }
            catch (TimeoutException e)
            {
                // The dead letters usually say why a point is missing.
                var status = await Gateway.StatusAsync();
                var letters = Directory.Exists(status.DeadLetterPath) ? Directory.GetFiles(status.DeadLetterPath, "deadletter-*.jsonl").SelectMany(File.ReadAllLines) : [];
                throw new TimeoutException($"{e.Message}; dead letters:{Environment.NewLine}{string.Join(Environment.NewLine, letters)}", e);
            }
        }

        public async Task<Dictionary<string, string?>> FieldTypesAsync(string measurement) =>
            (await Influx.QueryAsync(Database, $"SHOW FIELD KEYS FROM \"{measurement}\"")).ToDictionary(r => r["fieldKey"].GetString()!, r => r["fieldType"].GetString());

        public async Task AssertDeadLetteredAsync(Bad[] bad)
        {
            var status = await Eventually.WaitAsync(Gateway.StatusAsync, s => s.Pipeline.Rejected >= bad.Length, Wait, $"{bad.Length} rejection(s)");
            var records = await Eventually.WaitAsync(
                () => Task.FromResult(Directory.GetFiles(status.DeadLetterPath, "deadletter-*.jsonl").SelectMany(File.ReadAllLines).Select(l => JsonDocument.Parse(l).RootElement).ToList()),
                r => r.Count >= bad.Length,
                Wait,
                $"{bad.Length} dead letter(s)");
            foreach (var b in bad)
            {
                var record = Assert.Single(records, r => r.GetProperty("source").GetString() == b.Topic);
                Assert.Equal(b.Reason, record.GetProperty("reason").GetString());
                Assert.Contains(b.Detail, record.GetProperty("detail").GetString(), StringComparison.Ordinal);
                var stored = record.TryGetProperty("payloadBase64", out var b64) ? Convert.FromBase64String(b64.GetString()!) : Encoding.UTF8.GetBytes(record.GetProperty("payload").GetString()!);
                Assert.Equal(Bytes(b), stored);
            }
        }

        private static byte[] Bytes(Bad b) => b.Hex ? Convert.FromHexString(b.Payload) : Encoding.UTF8.GetBytes(b.Payload);

        public async ValueTask DisposeAsync()
        {
            await Gateway.DisposeAsync();
            Influx.Dispose();
        }
    }
}
