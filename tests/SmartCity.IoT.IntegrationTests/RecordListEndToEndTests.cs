using System.Text.Json;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>
/// Record-list (type-length-value) and Cayenne LPP frames through Mosquitto into InfluxDB 1.6.7: reordered and partial
/// frames land with exact values, types and tags (LPP probe instances as tag channel), malformed frames are dead-lettered
/// with the offset and the frame in hex.
/// </summary>
public sealed class RecordListEndToEndTests
{
    [Fact]
    public async Task Record_lists_and_lpp_frames_land_exactly_and_bad_frames_are_dead_lettered()
    {
        using var influx = new InfluxHttp(TestEnvironment.InfluxUrl);
        var database = await influx.NewDatabaseAsync("e2e_records");
        await using var gateway = await GatewayInstance.StartAsync(s => GatewayInstance.WriteTo(s, database));

        var id = Guid.NewGuid().ToString("N")[..6];
        string Pem(string d) => $"buildings/hq/floors/1/pem/pem-{id}{d}/up";
        string Clm(string d) => $"buildings/hq/cold-rooms/kiosk-3/clm-{id}{d}/lpp";
        var good = new (string Topic, string Hex)[]
        {
            (Pem("a"), "01 02 09 29  02 01 61  03 02 74 E1  04 02 01 CC  05 04 87 D6 12 00  06 01 0B  07 02 01 91"),
            (Pem("b"), "07 02 01 91  05 04 87 D6 12 00  01 02 09 29  06 01 0B  04 02 01 CC  03 02 74 E1  02 01 61"),
            (Pem("c"), "06 01 00  05 04 10 27 00 00"),
            (Clm("a"), "08 83 00 01 E2 40  05 67 FF F6  07 02 01 4A  01 00 00  06 73 27 91  03 67 00 1C  04 68 6E  02 66 03"),
        };
        var bad = new (string Topic, string Hex, string Detail)[]
        {
            (Pem("x"), "01 02 09 29  09 01 00", "unknown record type 0x09 at byte 4 (known: 0x01 temperature, "),
            (Clm("x"), "01 00 00  03 67 01", "truncated record channel 3 type 0x67 (temperature) at byte 3: needs 2 data byte(s), the frame has 1 left; frame (hex): 01 00 00 03 67 01"),
        };

        await using (var publisher = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort))
        {
            foreach (var (topic, hex) in good.Concat(bad.Select(b => (b.Topic, b.Hex))))
            {
                await publisher.PublishAsync(topic, Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal)));
            }
        }

        // Both orders of the same records give the same point.
        foreach (var device in new[] { "a", "b" })
        {
            var rows = await Eventually.WaitAsync(() => influx.QueryAsync(database, $"SELECT * FROM \"energy\" WHERE \"device\" = 'pem-{id}{device}'"), r => r.Count > 0, TimeSpan.FromSeconds(60), $"pem-{id}{device} in InfluxDB");
            var row = Assert.Single(rows);
            Assert.Equal(23.45, row["temperature"].GetDouble());
            Assert.Equal(48.5, row["humidity"].GetDouble());
            Assert.Equal(1013.2, row["pressure"].GetDouble());
            Assert.Equal(200, row["tvoc"].GetDouble());
            Assert.Equal(12345.67, row["energy_kwh"].GetDouble());
            Assert.True(row["door_open"].GetBoolean());
            Assert.Equal(5, row["motion_count"].GetInt64());
            Assert.Equal(4.5, row["probe_temperature"].GetDouble());
            Assert.Equal("harbourtech/pem-20", row["model"].GetString());
            Assert.Equal("hq", row["building"].GetString());
        }

        // A partial frame carries only its records.
        var partial = Assert.Single(await Eventually.WaitAsync(() => influx.QueryAsync(database, $"SELECT * FROM \"energy\" WHERE \"device\" = 'pem-{id}c'"), r => r.Count > 0, TimeSpan.FromSeconds(60), "the partial frame"));
        Assert.Equal(100, partial["energy_kwh"].GetDouble());
        Assert.False(partial["door_open"].GetBoolean());
        Assert.Equal(JsonValueKind.Null, partial["temperature"].ValueKind);

        // Field types as InfluxDB stored them: an integer count, a boolean door, float values.
        var types = (await influx.QueryAsync(database, "SHOW FIELD KEYS FROM \"energy\"")).ToDictionary(r => r["fieldKey"].GetString()!, r => r["fieldType"].GetString());
        Assert.Equal("integer", types["motion_count"]);
        Assert.Equal("boolean", types["door_open"]);
        Assert.Equal("float", types["energy_kwh"]);

        // LPP: the message's own point, and one point per probe instance, tagged by channel.
        var lpp = await Eventually.WaitAsync(() => influx.QueryAsync(database, $"SELECT * FROM \"cold_room\" WHERE \"device\" = 'clm-{id}a'"), r => r.Count >= 3, TimeSpan.FromSeconds(60), "three clm-4 points");
        Assert.Equal(3, lpp.Count);
        var own = Assert.Single(lpp, r => r["channel"].ValueKind == JsonValueKind.Null);
        Assert.Equal(123.456, own["energy_kwh"].GetDouble());
        Assert.Equal(1012.9, own["pressure"].GetDouble());
        Assert.Equal(3.3, own["battery_voltage"].GetDouble());
        Assert.Equal(55, own["humidity"].GetDouble());
        Assert.Equal(3, own["motion_count"].GetInt64());
        Assert.False(own["door_open"].GetBoolean());
        Assert.Equal(2.8, Assert.Single(lpp, r => r["channel"].ValueKind == JsonValueKind.String && r["channel"].GetString() == "3")["probe_temperature"].GetDouble());
        Assert.Equal(-1, Assert.Single(lpp, r => r["channel"].ValueKind == JsonValueKind.String && r["channel"].GetString() == "5")["probe_temperature"].GetDouble());

        // The malformed frames are dead-lettered with the reason, the offset and the frame in hex, their bytes kept as bytes.
        var status = await Eventually.WaitAsync(gateway.StatusAsync, s => s.Pipeline.Rejected >= bad.Length, TimeSpan.FromSeconds(20), "two rejections");
        var records = Directory.GetFiles(status.DeadLetterPath, "deadletter-*.jsonl").SelectMany(File.ReadAllLines).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        foreach (var b in bad)
        {
            var record = Assert.Single(records, r => r.GetProperty("source").GetString() == b.Topic);
            Assert.Equal("MalformedPayload", record.GetProperty("reason").GetString());
            Assert.Contains(b.Detail, record.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(Convert.ToBase64String(Convert.FromHexString(b.Hex.Replace(" ", "", StringComparison.Ordinal))), record.GetProperty("payloadBase64").GetString());
        }
    }
}
