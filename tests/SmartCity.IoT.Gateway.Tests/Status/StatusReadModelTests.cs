using System.Text;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Gateway.Status;
using SmartCity.IoT.Gateway.Status.Buildings;
using SmartCity.IoT.Gateway.Status.History;
using SmartCity.IoT.Gateway.Status.Pages;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Language;
using SmartCity.IoT.Rules.Model;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Gateway.Tests.Status;

/// <summary>Issue 15: what the status pages are built from: places from tags, the chart history, values for people, rule thresholds.</summary>
public sealed class StatusReadModelTests
{
    private static readonly DeviceCatalog Catalog = DeviceCatalog.Load(RepoPaths.Devices);
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Devices_are_grouped_into_buildings_floors_and_zones_with_the_worst_alert_and_averages()
    {
        var registry = new DeviceRegistry(Catalog.Vocabulary.Count);
        var a = Observe(registry, "hq", "2", "ems-1", co2: 800, T0);
        Observe(registry, "hq", "2", "ems-2", co2: 1200, T0);
        Observe(registry, "hq", "10", "ems-3", co2: 500, T0.AddHours(-2)); // silent
        Observe(registry, "annex", "1", "ems-4", co2: 400, T0);
        var co2 = Id("co2");
        var alerts = new[] { Active("ems-2", AlertSeverity.Warning), Active("ems-2", AlertSeverity.Critical), Active("ems-4", AlertSeverity.Info) };

        var tree = BuildingTree.Build(registry.Snapshot(), Hierarchy(), alerts, [co2], Ns(T0.AddMinutes(-15)), search: null);

        Assert.Equal(["annex", "hq"], tree.Buildings.Select(b => b.Name));
        var hq = tree.Buildings[1];
        Assert.Equal(["2", "10"], hq.Children.Values.Select(f => f.Name)); // floor 2 before floor 10
        Assert.Equal((3, 1, 2, AlertSeverity.Critical), (hq.DeviceCount, hq.Silent, hq.Alerts, hq.Worst));
        Assert.Equal((2000d, 2), hq.KeyValues[co2]); // the silent device's old value is not averaged in
        Assert.Null(hq.Children["10"].Worst);
        Assert.Equal("hq/2", hq.Children["2"].Path);
        Assert.Contains(a, hq.Children["2"].Devices);
        Assert.Equal((4, 1, 3), (tree.DeviceCount, tree.SilentCount, tree.ReportingCount));

        var found = BuildingTree.Build(registry.Snapshot(), Hierarchy(), alerts, [co2], Ns(T0.AddMinutes(-15)), search: "ANNEX");
        Assert.Equal(["annex"], found.Buildings.Select(b => b.Name));
        Assert.Equal(1, found.MatchedCount);
    }

    [Fact]
    public void Place_names_the_order_holds_equal_stay_one_place()
    {
        var registry = new DeviceRegistry(Catalog.Vocabulary.Count);
        Observe(registry, "hq", "1", "ems-1", co2: 800, T0);
        Observe(registry, "hq", "01", "ems-2", co2: 900, T0);
        Observe(registry, "hq", "2", "ems-3", co2: 700, T0);

        var tree = BuildingTree.Build(registry.Snapshot(), Hierarchy(), [], [Id("co2")], Ns(T0.AddMinutes(-15)), search: null);

        var hq = Assert.Single(tree.Buildings);
        Assert.Equal(["1", "2"], hq.Children.Values.Select(f => f.Name));
        Assert.Equal(["ems-1", "ems-2"], hq.Children["1"].Devices.Select(d => d.DeviceId));
    }

    [Fact]
    public void The_hierarchy_tags_are_configurable_and_a_device_without_them_is_unplaced_by_family()
    {
        var registry = new DeviceRegistry(Catalog.Vocabulary.Count);
        var d = Observe(registry, "hq", "2", "ems-1", co2: 800, T0);

        Assert.Equal(["2", "hq"], new TagPlaceHierarchy(Options.Create(new StatusOptions { Hierarchy = ["floor", "building"] })).PlaceOf(d));
        Assert.Equal([TagPlaceHierarchy.Unplaced, "environment"], new TagPlaceHierarchy(Options.Create(new StatusOptions { Hierarchy = ["site"] })).PlaceOf(d));
    }

    [Fact]
    public void The_history_keeps_one_point_per_sample_in_a_ring_and_gaps_while_the_device_is_silent()
    {
        var registry = new DeviceRegistry(Catalog.Vocabulary.Count);
        var history = new DeviceHistory(Options.Create(new StatusOptions { HistoryPoints = 4, SilentAfter = TimeSpan.FromMinutes(5) }));
        var co2 = Id("co2");
        var d = Observe(registry, "hq", "2", "ems-1", co2: 800, T0);
        history.Sample(registry, T0.AddSeconds(10));
        Observe(registry, "hq", "2", "ems-1", co2: 900, T0.AddMinutes(1));
        history.Sample(registry, T0.AddMinutes(1));
        history.Sample(registry, T0.AddMinutes(10)); // silent for 9 min: a gap
        Observe(registry, "hq", "2", "ems-1", co2: 950, T0.AddMinutes(11));
        history.Sample(registry, T0.AddMinutes(11));
        history.Sample(registry, T0.AddMinutes(12)); // the fifth sample pushes out the first

        var points = history.Read(d.Index, co2);

        Assert.Equal([T0.AddMinutes(1), T0.AddMinutes(10), T0.AddMinutes(11), T0.AddMinutes(12)], points.Select(p => p.At));
        Assert.Equal(900, points[0].Value);
        Assert.True(double.IsNaN(points[1].Value));
        Assert.Equal([950d, 950d], points.Skip(2).Select(p => p.Value));
        Assert.Contains(co2, history.FieldsOf(d.Index));
        Assert.DoesNotContain(Id("ammonia"), history.FieldsOf(d.Index)); // only fields the device reports
        Assert.Equal(history.FieldsOf(d.Index).Count * 4L * sizeof(float) + 4 * sizeof(long), history.Bytes);
    }

    [Fact]
    public void Devices_beyond_the_history_bound_get_none()
    {
        var registry = new DeviceRegistry(Catalog.Vocabulary.Count);
        var history = new DeviceHistory(Options.Create(new StatusOptions { HistoryMaxDevices = 1 }));
        var first = Observe(registry, "hq", "2", "ems-1", co2: 800, T0);
        var second = Observe(registry, "hq", "2", "ems-2", co2: 800, T0);

        history.Sample(registry, T0);

        Assert.NotEmpty(history.FieldsOf(first.Index));
        Assert.Empty(history.FieldsOf(second.Index));
        Assert.Equal(1, history.DeviceCount);
    }

    [Theory]
    [InlineData("co2", 1234.0, "1,234 ppm")]
    [InlineData("temperature", 22.614, "22.61 °C")]
    [InlineData("people_count", 24.0, "24")]
    [InlineData("pm2_5", 8.0, "8 µg/m³")]
    [InlineData("humidity", 55.0, "55 %RH")]
    public void Values_get_their_units_from_the_vocabulary_and_never_the_unit_one(string field, double value, string expected)
    {
        Assert.True(Catalog.Vocabulary.TryGet(field, out var f));
        Assert.Equal(expected, Humanize.Value(f, value));
    }

    [Fact]
    public void Sizes_and_times_read_as_people_say_them()
    {
        Assert.Equal("211.1 KiB", Humanize.Bytes(216_136));
        Assert.Equal("1 GiB", Humanize.Bytes(1_073_741_824));
        Assert.Equal("512 B", Humanize.Bytes(512));
        Assert.Equal("3 min ago", Humanize.Relative(T0.AddMinutes(-3), T0));
        Assert.Equal("in 2 h", Humanize.Relative(T0.AddHours(2), T0));
        Assert.Equal("2 d 4 h ago", Humanize.Relative(T0.AddHours(-52), T0));
        Assert.Contains("title=\"2026-12-01 09:57:00 UTC\"", Humanize.Time(T0.AddMinutes(-3), T0), StringComparison.Ordinal);
    }

    [Fact]
    public void Thresholds_are_found_in_a_rules_levels_whichever_side_the_field_is_on()
    {
        var rule = new RuleDefinition
        {
            Name = "co2",
            Levels = [new SeverityLevel(AlertSeverity.Critical, "co2 >= 2000"), new SeverityLevel(AlertSeverity.Warning, "1000 < co2 and temperature < 30"), new SeverityLevel(AlertSeverity.Info, "avg(co2, 10m) > 800")],
        };

        var found = ThresholdFinder.Find(rule);

        Assert.Equal(
            [("co2", ">=", 2000d, AlertSeverity.Critical), ("co2", ">", 1000d, AlertSeverity.Warning), ("temperature", "<", 30d, AlertSeverity.Warning), ("co2", ">", 800d, AlertSeverity.Info)],
            found.Select(t => (t.Field, t.Operator, t.Value, t.Severity)));
    }

    [Fact]
    public void The_options_validator_names_the_bad_key_and_suggests_a_field()
    {
        var result = new StatusOptionsValidator(Catalog).Validate(null, new StatusOptions { Hierarchy = [], KeyFields = ["co"], HistoryPoints = 1 });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Status:Hierarchy:", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("Status:KeyFields: 'co' is not a field of the vocabulary (did you mean 'co2'?)", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Status:HistoryPoints:", StringComparison.Ordinal));
        Assert.True(new StatusOptionsValidator(Catalog).Validate(null, new StatusOptions()).Succeeded);
    }

    private static DeviceState Observe(DeviceRegistry registry, string building, string floor, string device, double co2, DateTimeOffset at)
    {
        var reading = Catalog.CreateReading();
        var topic = $"buildings/{building}/floors/{floor}/env/{device}/telemetry";
        var payload = Encoding.UTF8.GetBytes("{\"ts\":" + at.ToUnixTimeMilliseconds() + ",\"climate\":{\"t\":23.1,\"rh\":55.0},\"air\":{\"co2\":" + co2 + ",\"tvoc\":0.2,\"pm\":{\"pm2_5\":8.0,\"pm10\":15.0}}}");
        var result = Catalog.Decoder.Decode(topic, payload, reading, Ns(at));
        Assert.True(result.IsSuccess, result.Detail);
        return registry.Observe(reading);
    }

    private static ActiveAlertInfo Active(string device, AlertSeverity severity) =>
        new("fp-" + device + severity, "rule-" + severity, "harbourtech/ies-300", "environment", device, severity, RulePhase.Firing, T0, 1, false, new Dictionary<string, string>(), new Dictionary<string, string>());

    private static TagPlaceHierarchy Hierarchy() => new(Options.Create(new StatusOptions()));

    private static int Id(string field) => Catalog.Vocabulary.TryGet(field, out var f) ? f.Id : throw new InvalidOperationException(field);

    private static long Ns(DateTimeOffset t) => t.ToUnixTimeMilliseconds() * 1_000_000;
}
