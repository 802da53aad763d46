using System.Text;
using System.Text.Json;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>
/// Issue 20: on real Mosquitto and InfluxDB 1.6.7, with a building model file, a zone CO2 average, a meeting room over
/// its capacity and a cron-scheduled rule each fire and resolve through the webhook, and readings are stored with the
/// model's place tags (InfluxQL read-back).
/// </summary>
public sealed class PlaceRulesEndToEndTests
{
    [Fact]
    public async Task Zone_average_capacity_and_schedule_rules_fire_and_resolve_with_place_tags_stored()
    {
        var id = Guid.NewGuid().ToString("N")[..6];
        string envA = $"ies-a-{id}", envB = $"ies-b-{id}", occ = $"om-{id}", sched = $"ies-s-{id}";
        await using var receiver = await WebhookReceiver.StartAsync();
        using var influx = new InfluxHttp(TestEnvironment.InfluxUrl);
        var database = InfluxHttp.NewDatabaseName("places");
        await influx.CreateDatabaseAsync(database);
        var dir = Directory.CreateTempSubdirectory("smartcity-places-").FullName;
        var rulesDir = Directory.CreateDirectory(Path.Combine(dir, "rules")).FullName;

        // The schedule window is one whole UTC minute that starts now or next; the rule resolves when it ends.
        var now = DateTimeOffset.UtcNow;
        var windowStart = now.Second > 40 ? now.AddSeconds(60 - now.Second) : now.AddSeconds(-now.Second);
        await File.WriteAllTextAsync(Path.Combine(rulesDir, "places.yaml"), $$$"""
            rules:
              - name: it_zone_co2
                match: { family: environment }
                over: zone
                expr: avg(co2) > 1000
                clear: avg(co2) < 900
                annotations: { summary: "zone CO2 {{ value:0 }} in {{ place.name }}" }
              - name: it_over_capacity
                match: { family: occupancy }
                expr: people_count > place.capacity
                annotations: { summary: "{{ value:0 }} people in {{ place.name }} (capacity {{ place.capacity }})" }
              - name: it_scheduled
                match: { device: "ies-s-*" }
                during: "{{{windowStart.Minute}}} {{{windowStart.Hour}}} * * *"
                expr: co2 > 1000
                annotations: { summary: "scheduled CO2 {{ value:0 }} in {{ place.name }}" }
            """);
        var model = Path.Combine(dir, "buildings.yaml");
        await File.WriteAllTextAsync(model, $$"""
            time_zone: UTC
            places:
              - id: it-site
                name: IT site
                kind: Site
                children:
                  - id: it-tower
                    name: IT tower
                    kind: Building
                    tag: ittower
                    children:
                      - id: it-7
                        name: IT level 7
                        kind: Floor
                        tag: "7"
                        children:
                          - { id: it-7-z1, name: Zone 7.1, kind: HVAC_Zone, devices: [{{envA}}, {{envB}}, {{sched}}] }
                          - { id: it-7-meet, name: Meeting room 7A, kind: Conference_Room, capacity: 4, devices: [{{occ}}] }
            """);

        await using var gateway = await GatewayInstance.StartAsync(s =>
        {
            s["Gateway:RulesPath"] = rulesDir;
            s["Buildings:Path"] = model;
            GatewayInstance.WriteTo(s, database);
            receiver.AddEndpointTo(s);
            s["Webhooks:0:MinSeverity"] = "Info";
            s["Alerts:GroupInterval"] = "00:00:01";
        });

        // Topics say building hq floor 3: the model's place tags (building ittower, floor 7) replace them.
        string Env(string device) => $"buildings/hq/floors/3/env/{device}/telemetry";
        var occTopic = $"buildings/hq/floors/3/occupancy/lobby/{occ}/up";
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using (var publisher = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort))
        {
            await publisher.PublishAsync(Env(envB), EnvPayload(ts, 700)); // B alone: 700
            await Eventually.WaitAsync(
                () => influx.QueryAsync(database, $"SELECT \"co2\" FROM \"environment\" WHERE \"device\" = '{envB}'"),
                r => r.Count >= 1, TimeSpan.FromSeconds(30), "B's reading stored before A reports");
            await publisher.PublishAsync(Env(envA), EnvPayload(ts, 1500)); // avg 1100
            await publisher.PublishAsync(occTopic, Frame(people: 6));
            await WaitFor(receiver, "it_zone_co2", "firing");
            await WaitFor(receiver, "it_over_capacity", "firing");
            await publisher.PublishAsync(Env(envB), EnvPayload(ts + 1000, 100)); // avg 800
            await publisher.PublishAsync(occTopic, Frame(people: 3));
            await WaitFor(receiver, "it_zone_co2", "resolved");
            await WaitFor(receiver, "it_over_capacity", "resolved");

            var untilWindow = windowStart - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
            if (untilWindow > TimeSpan.Zero)
            {
                await Task.Delay(untilWindow); // real time: the window is on the wall clock
            }

            await publisher.PublishAsync(Env(sched), EnvPayload(ts + 2000, 1400));
            await WaitFor(receiver, "it_scheduled", "firing");
        }

        // No reading after the window: the timer resolves it at the minute's end.
        var resolved = await WaitFor(receiver, "it_scheduled", "resolved", TimeSpan.FromSeconds(90));
        Assert.True(DateTimeOffset.UtcNow >= windowStart.AddMinutes(1), "resolved before the window ended");
        Assert.Equal(sched, resolved.GetProperty("device").GetString());
        Assert.Equal("scheduled CO2 1400 in Zone 7.1", resolved.GetProperty("annotations").GetProperty("summary").GetString());

        var zone = await WaitFor(receiver, "it_zone_co2", "firing");
        Assert.Equal(("it-7-z1", "place"), (zone.GetProperty("device").GetString(), zone.GetProperty("profile").GetString()));
        var labels = zone.GetProperty("labels");
        Assert.Equal(("it-7-z1", "Zone 7.1", "ittower", "7"), (labels.GetProperty("place").GetString(), labels.GetProperty("place_name").GetString(), labels.GetProperty("building").GetString(), labels.GetProperty("floor").GetString()));
        Assert.Equal("zone CO2 1100 in Zone 7.1", zone.GetProperty("annotations").GetProperty("summary").GetString());
        var crowded = await WaitFor(receiver, "it_over_capacity", "firing");
        Assert.Equal("6 people in Meeting room 7A (capacity 4)", crowded.GetProperty("annotations").GetProperty("summary").GetString());
        Assert.Equal("it-7-meet", crowded.GetProperty("labels").GetProperty("place").GetString());

        // The readings carry the model's place tags in InfluxDB, and the alerts measurement has the place's alert.
        var rows = await Eventually.WaitAsync(
            () => influx.QueryAsync(database, $"SELECT \"co2\", \"place\", \"building\", \"floor\", \"zone\" FROM \"environment\" WHERE \"device\" = '{envA}'"),
            r => r.Count >= 1, TimeSpan.FromSeconds(30), "the zone device's reading in InfluxDB");
        Assert.Equal(("it-7-z1", "ittower", "7"), (rows[0]["place"].GetString(), rows[0]["building"].GetString(), rows[0]["floor"].GetString()));
        var placeAlerts = await Eventually.WaitAsync(
            () => influx.QueryAsync(database, "SELECT * FROM \"alerts\" WHERE \"device\" = 'it-7-z1'"),
            r => r.Count >= 2, TimeSpan.FromSeconds(30), "the zone alert's two transitions in InfluxDB");
        Assert.Contains(placeAlerts, r => r["status"].GetString() == "resolved");
    }

    /// <summary>The first alert entry of <paramref name="rule"/> with <paramref name="status"/> received (notifications may group alerts).</summary>
    private static async Task<JsonElement> WaitFor(WebhookReceiver receiver, string rule, string status, TimeSpan? timeout = null)
    {
        var found = await Eventually.WaitAsync(
            () => Task.FromResult(receiver.Received.SelectMany(w => w.Json.GetProperty("alerts").EnumerateArray())
                .Where(a => a.GetProperty("rule").GetString() == rule && a.GetProperty("status").GetString() == status)
                .Select(a => (JsonElement?)a).FirstOrDefault()),
            a => a is not null, timeout ?? TimeSpan.FromSeconds(30), $"{rule} {status} at the webhook");
        return found!.Value;
    }

    private static byte[] EnvPayload(long ts, int co2) =>
        Encoding.UTF8.GetBytes("{\"ts\":" + ts + ",\"climate\":{\"t\":23.1,\"rh\":55.0},\"air\":{\"co2\":" + co2 + ",\"tvoc\":0.2,\"pm\":{\"pm2_5\":8.0,\"pm10\":15.0}}}");

    /// <summary>The OM-100 frame: occupied, people count, 300 lx, battery 90 %, 22.50 degC.</summary>
    private static byte[] Frame(int people) => [1, (byte)(people >> 8), (byte)people, 0x01, 0x2C, 90, 0x08, 0xCA];
}
