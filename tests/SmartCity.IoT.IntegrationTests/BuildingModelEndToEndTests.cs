using System.Text;
using SmartCity.IoT.Core.Places;
using SmartCity.IoT.Gateway.Places;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>Issue 20: readings carry their place from the building model through Mosquitto into InfluxDB 1.6.7.</summary>
public sealed class BuildingModelEndToEndTests
{
    private const string Model = """
        time_zone: Asia/Hong_Kong
        places:
          - id: hq
            kind: Building
            children:
              - id: hq-3
                kind: Floor
                tag: "3"
                children:
                  - { id: hq-3-meeting, kind: Conference_Room, capacity: 12, devices: [ies-e2e-1] }
              - id: hq-1
                kind: Floor
                tag: ground
                children:
                  - { id: hq-1-lobby, kind: Lobby }
        placement:
          - { match: { profile: shelly/plus-ht }, place: hq-1-lobby }
          - { match: { building: hq, floor: "*" }, place: "hq-{floor}" }
        """;

    [Fact]
    public async Task Points_in_InfluxDB_carry_the_place_tags_the_model_gives_even_when_the_topic_says_nothing()
    {
        using var dir = new TempDir("model-e2e");
        var modelFile = dir.Sub("buildings.yaml");
        await File.WriteAllTextAsync(modelFile, Model);
        using var influx = new InfluxHttp(TestEnvironment.InfluxUrl);
        var database = InfluxHttp.NewDatabaseName("places");
        await influx.CreateDatabaseAsync(database);
        await using var gateway = await GatewayInstance.StartAsync(s =>
        {
            s["Influx:Url"] = TestEnvironment.InfluxUrl;
            s["Influx:Api"] = "v1";
            s["Influx:Database"] = database;
            s["Buildings:Path"] = modelFile;
        });
        Assert.Equal(5, gateway.Get<IBuildingModelSource>().Current.Places.Count);

        const string ies = """{"ts":1763884800000,"climate":{"t":23.4,"rh":58.2},"air":{"co2":812,"tvoc":0.21,"pm":{"pm2_5":9.4,"pm10":17.0}},"battery":96}""";
        const string shelly = """{"src":"shellyplusht-e2e","method":"NotifyStatus","params":{"ts":1763884800.0,"temperature:0":{"tC":22.5},"humidity:0":{"rh":55.0},"devicepower:0":{"battery":{"percent":80}}}}""";
        await using (var publisher = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort))
        {
            await publisher.PublishAsync("buildings/hq/floors/3/env/ies-e2e-1/telemetry", Encoding.UTF8.GetBytes(ies));
            await publisher.PublishAsync("buildings/hq/floors/3/env/ies-e2e-2/telemetry", Encoding.UTF8.GetBytes(ies));
            await publisher.PublishAsync("shellyplusht-e2e/events/rpc", Encoding.UTF8.GetBytes(shelly));
        }

        var rows = await Eventually.WaitAsync(
            () => influx.QueryAsync(database, "SELECT * FROM \"environment\" GROUP BY \"place\", \"building\", \"floor\", \"zone\""),
            r => r.Select(x => x["device"].GetString()).Distinct().Count() >= 3, TimeSpan.FromSeconds(30), "three devices' points in InfluxDB");

        Dictionary<string, System.Text.Json.JsonElement> Row(string device) => rows.First(r => r["device"].GetString() == device);
        string? Tag(string device, string tag) => Row(device).TryGetValue(tag, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

        // Listed by id on a room: its zone comes from the model, not from the topic.
        Assert.Equal("hq-3-meeting", Tag("ies-e2e-1", "place"));
        Assert.Equal("hq-3-meeting", Tag("ies-e2e-1", "zone"));
        Assert.Equal("3", Tag("ies-e2e-1", "floor"));
        Assert.Equal("hq", Tag("ies-e2e-1", "building"));
        // Placed by the floor rule: no zone.
        Assert.Equal("hq-3", Tag("ies-e2e-2", "place"));
        Assert.Null(Tag("ies-e2e-2", "zone"));
        // A topic with no location at all: building and floor (the floor's tag, "ground") come from the model.
        var device = rows.Select(r => r["device"].GetString()!).First(d => d.StartsWith("shellyplusht", StringComparison.Ordinal));
        Assert.Equal("hq-1-lobby", Tag(device, "place"));
        Assert.Equal("ground", Tag(device, "floor"));
        Assert.Equal("hq", Tag(device, "building"));

        // InfluxQL groups by the model's place.
        var byPlace = await influx.QueryAsync(database, "SELECT count(\"temperature\") FROM \"environment\" WHERE \"building\" = 'hq' GROUP BY \"place\"");
        Assert.Equal(["hq-1-lobby", "hq-3", "hq-3-meeting"], byPlace.Select(r => r["place"].GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_broken_edit_keeps_the_model_and_shows_its_errors_in_the_status_until_fixed()
    {
        using var dir = new TempDir("model-reload");
        var modelFile = dir.Sub("buildings.yaml");
        await File.WriteAllTextAsync(modelFile, Model);
        await using var gateway = await GatewayInstance.StartAsync(s =>
        {
            s["Buildings:Path"] = modelFile;
            s["Buildings:ReloadDelay"] = "00:00:00.1";
        });
        var file = gateway.Get<BuildingModelFile>();
        var before = file.Current;

        await File.WriteAllTextAsync(modelFile, Model.Replace("kind: Lobby", "kind: Lobbby", StringComparison.Ordinal));
        var failure = await Eventually.WaitAsync(async () => (await gateway.StatusAsync()).Buildings?.ReloadErrors, e => e is { Count: > 0 }, TimeSpan.FromSeconds(20), "the reload error in the status");
        Assert.Contains(failure!, e => e.Contains("buildings.yaml:15:", StringComparison.Ordinal) && e.Contains("did you mean 'Lobby'?", StringComparison.Ordinal));
        Assert.Same(before, file.Current);

        await File.WriteAllTextAsync(modelFile, Model.Replace("kind: Lobby }", "kind: Lobby }\n      - { id: hq-2, kind: Floor }", StringComparison.Ordinal));
        var status = await Eventually.WaitAsync(async () => (await gateway.StatusAsync()).Buildings!, b => b.ReloadErrors is null, TimeSpan.FromSeconds(20), "the good edit in force");
        Assert.Equal(6, status.Places);
        Assert.NotNull(file.Current.Find("hq-2"));
    }
}
