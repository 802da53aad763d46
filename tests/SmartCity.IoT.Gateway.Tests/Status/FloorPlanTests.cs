using System.Text;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Places;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Gateway.Status;
using SmartCity.IoT.Gateway.Status.Buildings;
using SmartCity.IoT.Gateway.Status.FloorPlans;
using SmartCity.IoT.Gateway.Tests.Places;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Gateway.Tests.Status;

/// <summary>Issue 20: floor plans on the status page: the sanitizer, which zone gets which colour, the shapes and places that do not match.</summary>
public sealed class FloorPlanTests : IDisposable
{
    private static readonly DeviceCatalog Catalog = DeviceCatalog.Load(RepoPaths.Devices);
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private const string Plan = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="400" height="200">
          <g id="layer1" inkscape:label="zones">
            <rect id="hall-1-east" x="0" y="0" width="200" height="200" fill="#eee"/>
            <g id="hall-1-west"><polygon points="200,0 400,0 400,200 200,200" fill="#ddd"/><text x="300" y="100">West</text></g>
            <rect id="ghost-room" x="10" y="10" width="5" height="5"/>
            <rect id="rect12" x="20" y="20" width="5" height="5"/>
          </g>
        </svg>
        """;

    private readonly TempDir _dir = new("smartcity-floorplan");
    private readonly Dictionary<string, string> _placement = new(StringComparer.Ordinal);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_sanitizer_removes_scripts_event_handlers_and_external_references_and_says_so()
    {
        const string svg = """
            <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 100" onload="alert(1)">
              <script>alert('x')</script>
              <rect id="z1" width="10" height="10" onclick="steal()" fill="url(https://evil.example/p.svg#x)" stroke="#000"/>
              <use xlink:href="https://evil.example/sprites.svg#room"/>
              <use href="#z1" x="20"/>
              <image href="https://evil.example/tracker.png" width="1" height="1"/>
              <a href="javascript:alert(1)"><rect id="z2" width="5" height="5"/></a>
              <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>
              <rect id="z3" width="5" height="5" style="fill:red;background:url(//evil.example/x)"/>
              <style>body{display:none}</style>
              <text x="1" y="9">Room &amp; co</text>
            </svg>
            """;

        var result = SvgSanitizer.Sanitize(svg, "plan.svg");

        Assert.Null(result.Refused);
        var root = result.Root!;
        var all = root.DescendantsAndSelf().ToList();
        Assert.DoesNotContain(all, e => e.Name.LocalName is "script" or "image" or "foreignObject" or "a" or "style");
        Assert.DoesNotContain(all.SelectMany(e => e.Attributes()), a => a.Name.LocalName.StartsWith("on", StringComparison.Ordinal));
        Assert.DoesNotContain(root.ToString(), "evil.example", StringComparison.Ordinal);
        Assert.DoesNotContain(root.ToString(), "javascript", StringComparison.Ordinal);
        var z1 = all.Single(e => (string?)e.Attribute("id") == "z1");
        Assert.Null(z1.Attribute("fill"));
        Assert.Equal("#000", (string?)z1.Attribute("stroke")); // the safe rest stays
        Assert.Equal(["#z1"], all.Where(e => e.Name.LocalName == "use").Select(e => (string?)e.Attribute("href")).OfType<string>()); // a reference inside the file stays
        Assert.Null(all.Single(e => (string?)e.Attribute("id") == "z3").Attribute("style"));
        Assert.Equal("Room & co", all.Single(e => e.Name.LocalName == "text").Value);

        // Each removal is named, with where it was.
        Assert.Contains(result.Removed, m => m.StartsWith("plan.svg:2:", StringComparison.Ordinal) && m.Contains("<script> removed", StringComparison.Ordinal));
        Assert.Contains(result.Removed, m => m.Contains("event handler onload on <svg> removed", StringComparison.Ordinal));
        Assert.Contains(result.Removed, m => m.Contains("event handler onclick on <rect> removed", StringComparison.Ordinal));
        Assert.Contains(result.Removed, m => m.Contains("fill=\"url(https://evil.example/p.svg#x)\" on <rect> removed (an external reference", StringComparison.Ordinal));
        Assert.Contains(result.Removed, m => m.Contains("href=\"https://evil.example/sprites.svg#room\" on <use> removed", StringComparison.Ordinal));
        Assert.Contains(result.Removed, m => m.Contains("<image> removed", StringComparison.Ordinal));
        Assert.Contains(result.Removed, m => m.Contains("<style> removed", StringComparison.Ordinal));
        Assert.Equal(10, result.Removed.Count);
    }

    [Theory]
    [InlineData("<!DOCTYPE svg [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><svg xmlns=\"http://www.w3.org/2000/svg\">&x;</svg>", "a DOCTYPE (or entity declarations) is not allowed")]
    [InlineData("<svg xmlns=\"http://www.w3.org/2000/svg\"><rect></svg>", "plan.svg:1:")]
    [InlineData("<html><body/></html>", "the root element is <html>")]
    [InlineData("<svg><rect/></svg>", "not an SVG <svg> element")]
    public void A_file_that_is_not_plain_SVG_is_refused_whole(string text, string expected)
    {
        var result = SvgSanitizer.Sanitize(text, "plan.svg");

        Assert.Null(result.Root);
        Assert.Contains(expected, result.Refused, StringComparison.Ordinal);
    }

    [Fact]
    public void Zones_are_coloured_by_the_worst_alert_firing_in_them_and_link_to_their_place_page()
    {
        var (model, floor) = Model();
        var registry = new DeviceRegistry(Catalog.Vocabulary.Count);
        Observe(registry, "east-1", "hall-1-east", co2: 800);
        Observe(registry, "east-2", "hall-1-east", co2: 900);
        Observe(registry, "west-1", "hall-1-west", co2: 500);
        var alerts = new[]
        {
            Active("east-1", AlertSeverity.Warning, RulePhase.Firing),
            Active("east-2", AlertSeverity.Critical, RulePhase.Firing),
            Active("west-1", AlertSeverity.Critical, RulePhase.Pending), // not firing yet: the zone stays green
        };
        var plan = Store().Get(model, floor)!;
        var rollup = PlaceRollup.Build(model, d => model.PlaceOf(d), registry.Snapshot(), alerts, [Id("co2")], Ns(T0.AddMinutes(-15)));

        var colouring = FloorColouring.ByAlerts(plan, rollup);
        var drawn = Draw(plan, colouring);

        Assert.Equal("critical", colouring.Zones["hall-1-east"].State);
        Assert.Equal("none", colouring.Zones["hall-1-west"].State);
        Assert.Equal("fill:#cf222e", Shape(drawn, "hall-1-east").Attribute("style")?.Value);
        Assert.Equal("fill:#2da44e", Shape(drawn, "hall-1-west").Descendants(Svg + "polygon").Single().Attribute("style")?.Value); // a group's shapes take the colour
        var link = Shape(drawn, "hall-1-east").Parent!;
        Assert.Equal((Svg + "a", "/place/hall-1-east", "critical"), (link.Name, (string?)link.Attribute("href"), (string?)link.Attribute("data-state")));
        Assert.Equal("East zone: 2 alerts firing, worst critical", link.Element(Svg + "title")?.Value);
        Assert.Equal(2, drawn.Descendants(Svg + "a").Count());
        Assert.Equal("#eee", Shape(plan.Svg.Root!, "hall-1-east").Attribute("fill")?.Value); // the cached drawing is not changed
        Assert.Equal((2, 2, AlertSeverity.Critical), (rollup.DeviceCount(model.Find("hall-1-east")!), rollup.AlertCount(model.Find("hall")!), rollup.Worst(model.Find("pavilion")!)));
    }

    [Fact]
    public void Zones_are_coloured_by_a_field_on_its_scale_with_a_legend()
    {
        var (model, floor) = Model();
        var registry = new DeviceRegistry(Catalog.Vocabulary.Count);
        Observe(registry, "east-1", "hall-1-east", co2: 1300);
        Observe(registry, "east-2", "hall-1-east", co2: 1100); // average 1,200 ppm: the fifth step of 400..1400
        Observe(registry, "west-1", "hall-1-west", co2: 450);
        var plan = Store().Get(model, floor)!;
        var rollup = PlaceRollup.Build(model, d => model.PlaceOf(d), registry.Snapshot(), [], [Id("co2")], Ns(T0.AddMinutes(-15)));

        var colouring = FloorColouring.ByField(plan, rollup, Catalog.Vocabulary[Id("co2")]);

        Assert.Equal(FloorColouring.ScaleFills[4], colouring.Zones["hall-1-east"].Fill);
        Assert.Equal(FloorColouring.ScaleFills[0], colouring.Zones["hall-1-west"].Fill);
        Assert.Contains("1,200 ppm, average of 2 devices", colouring.Zones["hall-1-east"].Label, StringComparison.Ordinal);
        Assert.Equal(["below 600 ppm", "600 ppm to 800 ppm", "800 ppm to 1,000 ppm", "1,000 ppm to 1,200 ppm", "1,200 ppm and above", "no co2 reported"], colouring.Legend.Select(l => l.Label));
    }

    [Fact]
    public void Shapes_without_a_place_and_places_without_a_shape_are_reported_and_logged()
    {
        var (model, floor) = Model();
        var logger = new FakeLogger<FloorPlanStore>();
        var store = new FloorPlanStore(logger);

        var plan = store.Get(model, floor)!;

        Assert.Equal(["hall-1-east", "hall-1-west"], plan.Zones.Order());
        Assert.Equal(["ghost-room"], plan.UnknownShapes); // rect12 and layer1 are an editor's ids, not places
        Assert.Equal(["hall-1-store"], plan.Undrawn.Select(p => p.Id));
        var messages = plan.Messages().ToList();
        Assert.Contains(messages, m => m.Contains("shape id 'ghost-room' is not a place of floor 'hall-1'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("place 'hall-1-store' (Store) of floor 'hall-1' has no shape", StringComparison.Ordinal));
        Assert.Equal(2, logger.Collector.Count);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("ghost-room", StringComparison.Ordinal));
        Assert.Same(plan, store.Get(model, floor)); // loaded once, logged once
        Assert.Equal(2, logger.Collector.Count);
    }

    [Fact]
    public void The_building_tree_follows_the_model_and_groups_unplaced_devices_by_family()
    {
        var (model, _) = Model();
        var source = new FixedModelSource(BuildingModel.Empty);
        var hierarchy = new ModelPlaceHierarchy(new TagPlaceHierarchy(Options.Create(new StatusOptions())), source);
        var registry = new DeviceRegistry(Catalog.Vocabulary.Count);
        var placed = Observe(registry, "east-1", "hall-1-east", co2: 800);
        var stray = Observe(registry, "stray-1", null, co2: 800);

        Assert.Equal(["hq", "2"], hierarchy.PlaceOf(placed)); // no model loaded: the tags'

        source.Replace(model);

        Assert.Equal(["Pavilion", "Main hall", "Ground floor", "East zone"], hierarchy.PlaceOf(placed));
        Assert.Equal([ModelPlaceHierarchy.Unplaced, "environment", "hq", "2"], hierarchy.PlaceOf(stray));
        Assert.Equal("hall-1-east", hierarchy.PlaceIdOf("Pavilion/Main hall/Ground floor/East zone"));
        var tree = BuildingTree.Build(registry.Snapshot(), hierarchy, [], [], 0, search: null);
        Assert.Equal([ModelPlaceHierarchy.Unplaced, "Pavilion"], tree.Buildings.Select(b => b.Name));
        Assert.Equal("pavilion", tree.Buildings[1].PlaceId);
    }

    private (BuildingModel Model, Place Floor) Model()
    {
        File.WriteAllText(_dir.Sub("hall-1.svg"), Plan);
        var site = new Place("pavilion", "Pavilion", "Site");
        var hall = new Place("hall", "Main hall", "Building");
        var floor = new Place("hall-1", "Ground floor", "Floor", floorPlan: "hall-1.svg");
        var east = new Place("hall-1-east", "East zone", "HVAC_Zone", new Dictionary<string, double> { ["capacity"] = 10 });
        var west = new Place("hall-1-west", "West zone", "HVAC_Zone", new Dictionary<string, double> { ["capacity"] = 20 });
        var store = new Place("hall-1-store", "Store", "Room");
        var parents = new Dictionary<Place, string?> { [site] = null, [hall] = "pavilion", [floor] = "hall", [east] = "hall-1", [west] = "hall-1", [store] = "hall-1" };
        BuildingModel? model = null;
        model = new BuildingModel([site, hall, floor, east, west, store], p => parents[p],
            d => _placement.TryGetValue(d.DeviceId, out var id) ? model!.Find(id) : null, _dir.Sub("buildings.yaml"));
        return (model, floor);
    }

    private DeviceState Observe(DeviceRegistry registry, string device, string? place, double co2)
    {
        if (place is not null)
        {
            _placement[device] = place;
        }

        var reading = Catalog.CreateReading();
        var payload = Encoding.UTF8.GetBytes("{\"ts\":" + T0.ToUnixTimeMilliseconds() + ",\"climate\":{\"t\":23.1,\"rh\":55.0},\"air\":{\"co2\":" + co2 + ",\"tvoc\":0.2,\"pm\":{\"pm2_5\":8.0,\"pm10\":15.0}}}");
        var result = Catalog.Decoder.Decode($"buildings/hq/floors/2/env/{device}/telemetry", payload, reading, Ns(T0));
        Assert.True(result.IsSuccess, result.Detail);
        return registry.Observe(reading);
    }

    private static FloorPlanStore Store() => new(NullLogger<FloorPlanStore>.Instance);

    private static XElement Draw(FloorPlan plan, FloorColouring colouring) => XElement.Parse(FloorDrawing.Append(new StringBuilder(), plan, colouring).ToString());

    private static XElement Shape(XElement root, string id) => root.Descendants().Single(e => (string?)e.Attribute("id") == id);

    private static ActiveAlertInfo Active(string device, AlertSeverity severity, RulePhase phase) =>
        new("fp-" + device + severity, "rule-" + severity, "harbourtech/ies-300", "environment", device, severity, phase, T0, 1, false, new Dictionary<string, string>(), new Dictionary<string, string>());

    private static int Id(string field) => Catalog.Vocabulary.TryGet(field, out var f) ? f.Id : throw new InvalidOperationException(field);

    private static long Ns(DateTimeOffset t) => t.ToUnixTimeMilliseconds() * 1_000_000;
}
