using BenchmarkDotNet.Attributes;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Core.Places;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Loading;

namespace SmartCity.IoT.Benchmarks;

/// <summary>
/// Rules over places at 10,000 devices in 1,000 zones (10 per zone, 10 zones per floor, 10 floors per building):
/// a zone CO2 average, a floor temperature maximum, a capacity from the model and an occupied-hours schedule, against
/// the same four rules written per device without places. One operation = one reading (co2, temperature, people_count);
/// an invocation is a pass over all 10,000 devices and one engine tick (stale members, schedules), as with 10,000
/// readings a second.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class PlaceRuleBenchmarks
{
    public const int DeviceCount = 10_000;
    private const int Zones = 1_000;

    private const string WithPlacesYaml = """
        rules:
          - { name: zone_co2, over: zone, expr: avg(co2) > 1000, clear: avg(co2) < 900 }
          - { name: floor_hot, over: floor, expr: max(temperature) > 30 }
          - { name: capacity, expr: people_count > place.capacity }
          - { name: co2_in_hours, during: occupied, expr: co2 > 1500 }
        """;

    private const string WithoutPlacesYaml = """
        rules:
          - { name: zone_co2, expr: co2 > 1000, clear: co2 < 900 }
          - { name: floor_hot, expr: temperature > 30 }
          - { name: capacity, expr: people_count > 8 }
          - { name: co2_in_hours, expr: co2 > 1500 }
        """;

    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
    private RuleEngine _engine = null!;
    private DeviceRegistry _registry = null!;
    private Reading _reading = null!;
    private DeviceProfile _profile = null!;
    private string[] _devices = [];
    private int[] _fields = [];
    private int _pass;

    [Params(false, true)]
    public bool Places { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var catalog = DeviceCatalog.Load(Path.Combine(RepoRoot.Find(), "devices"));
        var vocabulary = catalog.Vocabulary;
        _fields = new[] { "co2", "temperature", "people_count" }.Select(n => vocabulary.TryGet(n, out var f) ? f.Id : throw new InvalidOperationException(n)).ToArray();
        _registry = new DeviceRegistry(vocabulary.Count);
        _reading = new Reading(vocabulary.Count);
        _profile = new DeviceProfile("bench/ems", "bench", "ems", "environment") { Index = 0 };
        _devices = Enumerable.Range(0, DeviceCount).Select(i => $"ems-{i:D5}").ToArray();
        var rules = RuleLoader.LoadText(Places ? WithPlacesYaml : WithoutPlacesYaml, "places-bench.yaml", vocabulary);
        _engine = new RuleEngine(rules, vocabulary, _registry, new CountingPublisher(), _time);
        if (Places)
        {
            _engine.ApplyModel(Model());
        }

        for (var i = 0; i < 30; i++)
        {
            Pass();
        }
    }

    [Benchmark(OperationsPerInvoke = DeviceCount, Description = "RuleEngine.Evaluate, 4 rules")]
    public void Evaluate() => Pass();

    private void Pass()
    {
        _pass++;
        var reading = _reading;
        for (var d = 0; d < _devices.Length; d++)
        {
            _time.Advance(TimeSpan.TicksPerMillisecond / 10); // 10,000 readings a second
            reading.Reset();
            reading.Profile = _profile;
            reading.DeviceId = _devices[d].AsMemory();
            reading.TimestampNs = 1;
            reading.Set(_fields[0], 500 + ((d * 31 + _pass) % 400)); // below the thresholds; extremes move between members
            reading.Set(_fields[1], 20 + ((d + _pass) % 8));
            reading.Set(_fields[2], d % 5);
            _registry.Observe(reading);
            _engine.Evaluate(reading);
        }

        _engine.Tick();
    }

    private BuildingModel Model()
    {
        var weekdays = new[] { (new TimeOnly(8, 0), new TimeOnly(18, 0)) };
        var hours = new PlaceHours(TimeZoneInfo.FindSystemTimeZoneById("Asia/Hong_Kong"), [weekdays, weekdays, weekdays, weekdays, weekdays, weekdays, weekdays]);
        var places = new List<Place> { new("site", "Site", "Site", occupied: hours) };
        var parents = new Dictionary<string, string>(StringComparer.Ordinal);
        var zoneOf = new Dictionary<string, Place>(StringComparer.Ordinal);
        for (var b = 0; b < Zones / 100; b++)
        {
            places.Add(new Place($"b{b}", $"Building {b}", "Building"));
            parents[$"b{b}"] = "site";
            for (var f = 0; f < 10; f++)
            {
                var floor = $"b{b}-f{f}";
                places.Add(new Place(floor, $"Floor {f}", "Floor", new Dictionary<string, double> { ["capacity"] = 8 }));
                parents[floor] = $"b{b}";
                for (var z = 0; z < 10; z++)
                {
                    var zone = new Place($"{floor}-z{z}", $"Zone {z}", "HVAC_Zone");
                    places.Add(zone);
                    parents[zone.Id] = floor;
                    zoneOf[zone.Id] = zone;
                }
            }
        }

        var zones = zoneOf.Values.ToArray();
        return new BuildingModel(places, p => parents.GetValueOrDefault(p.Id), d => zones[int.Parse(d.DeviceId.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture) % Zones]);
    }
}
