using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests.Page;

/// <summary>
/// A gateway with a building model file of its own (one floor with a plan of two zones), fed by an in-process source
/// and writing to an in-process sink, and one Chromium, for the floor-view tests.
/// </summary>
public sealed class FloorViewFixture : IAsyncLifetime
{
    public const string Floor = "fv-1";
    public const string East = "fv-1-east";
    public const string West = "fv-1-west";

    private const string Rule = """
        rules:
          - name: floor_co2_high
            match: { family: environment }
            expr: co2 > 1000
            clear: co2 < 900
            severity: warning
        """;

    /// <summary>The devices the model places, one per zone.</summary>
    public const string EastDevice = "ies-fv-east";
    public const string WestDevice = "ies-fv-west";

    private const string ModelYaml = """
        time_zone: Asia/Hong_Kong
        places:
          - id: fv-site
            name: Floor view site
            kind: Site
            children:
              - id: fv-hall
                name: Floor view hall
                kind: Building
                children:
                  - id: fv-1
                    name: Floor view level 1
                    kind: Floor
                    floor_plan: fv-1.svg
                    children:
                      - { id: fv-1-east, name: East wing, kind: HVAC_Zone, capacity: 30, devices: [ies-fv-east] }
                      - { id: fv-1-west, name: West wing, kind: HVAC_Zone, devices: [ies-fv-west] }
        """;

    private const string Plan = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 200">
          <rect id="fv-1-east" x="0" y="0" width="200" height="200" fill="#eaeef2" stroke="#57606a"/>
          <rect id="fv-1-west" x="200" y="0" width="200" height="200" fill="#eaeef2" stroke="#57606a"/>
          <text x="100" y="100" pointer-events="none">East</text>
        </svg>
        """;

    private readonly TempDir _dir = new("smartcity-floorview");
    private IMessageHandler _handler = null!;

    internal GatewayInstance Gateway { get; private set; } = null!;

    internal BrowserSession Browser { get; private set; } = null!;

    internal QueueSource Source { get; } = new("floorview");

    internal RecordingSink Sink { get; } = new("floorview");

    public string BaseUrl { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir.Sub("rules"));
        await File.WriteAllTextAsync(Path.Combine(_dir.Sub("rules"), "floor.yaml"), Rule);
        await File.WriteAllTextAsync(_dir.Sub("fv-1.svg"), Plan);
        await File.WriteAllTextAsync(_dir.Sub("buildings.yaml"), ModelYaml);
        BaseUrl = "http://127.0.0.1:" + FreePort.Next().ToString(CultureInfo.InvariantCulture);
        Gateway = await GatewayInstance.StartAsync(s =>
        {
            s["Http:Urls"] = BaseUrl;
            s["Gateway:RulesPath"] = _dir.Sub("rules");
            s["Buildings:Path"] = _dir.Sub("buildings.yaml"); // the real loader; the plan is found relative to it
            s["Status:FloorRefresh"] = "00:00:00.300";
        }, services: s =>
        {
            s.AddSingleton<IMessageSource>(Source);
            s.AddSingleton<ITelemetrySink>(Sink);
        }, waitConnected: false);
        _handler = await Source.Running.WaitAsync(TimeSpan.FromSeconds(20));
        Browser = await BrowserSession.StartAsync();
    }

    /// <summary>One environment reading of <paramref name="device"/>, through the in-process source.</summary>
    public Task SendAsync(string device, int co2)
    {
        var now = DateTimeOffset.UtcNow;
        return Source.SendAsync(_handler, $"buildings/fvhall/floors/1/env/{device}/telemetry",
            "{\"ts\":" + now.ToUnixTimeMilliseconds() + ",\"climate\":{\"t\":23.1,\"rh\":55.0},\"air\":{\"co2\":" + co2 + ",\"tvoc\":0.2,\"pm\":{\"pm2_5\":8.0,\"pm10\":15.0}}}",
            now.ToUnixTimeMilliseconds() * 1_000_000);
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        await Gateway.DisposeAsync();
        _dir.Dispose();
    }
}
