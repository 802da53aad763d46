using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Loading;

namespace SmartCity.IoT.Benchmarks;

/// <summary>
/// The cost of a rule: one device with 1, 64, 65, 200 or 1,000 rules (every fifth a 1-minute avg() window, every fifth
/// a 'for: 30s' threshold, the rest plain thresholds; half of them firing and steady), one reading a second of the one
/// field they all read. One operation = one reading; divide by the rule count for the cost per rule. The state fits
/// in cache: this is the engine's own work per rule, not memory latency (see RuleEvaluationBenchmarks for that).
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class RuleCountBenchmarks
{
    private const int Readings = 1_000;

    private RuleEngine _engine = null!;
    private DeviceRegistry _registry = null!;
    private Reading _reading = null!;
    private ManualTimeProvider _time = null!;
    private DeviceProfile _profile = null!;
    private double _value;

    [Params(1, 64, 65, 200, 1_000)]
    public int Rules { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var vocabulary = new FieldVocabulary([new FieldDefinition(0, "co2", "ppm", FieldType.Float, 0, 40_000)]);
        var yaml = new StringBuilder("rules:\n");
        for (var i = 0; i < Rules; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  - name: r{i}\n    expr: {(i % 5 == 4 ? "avg(co2, 1m)" : "co2")} > {500 + i}\n");
            if (i % 5 == 3)
            {
                yaml.Append("    for: 30s\n");
            }
        }

        _time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        _registry = new DeviceRegistry(vocabulary.Count);
        _engine = new RuleEngine(RuleLoader.LoadText(yaml.ToString(), "rule-count.yaml", vocabulary), vocabulary, _registry, new CountingPublisher(), _time);
        _profile = new DeviceProfile("acme/ems-200", "acme", "ems-200", "environment") { Index = 0 };
        _reading = new Reading(vocabulary.Count);
        _value = 500 + (Rules / 2) + 0.5;
        for (var i = 0; i < 200; i++)
        {
            Evaluate(); // warm-up: windows full, 'for' rules fired
        }
    }

    [Benchmark(OperationsPerInvoke = Readings, Description = "RuleEngine.Evaluate, one device")]
    public void Engine()
    {
        for (var i = 0; i < Readings; i++)
        {
            Evaluate();
        }
    }

    private void Evaluate()
    {
        _time.Advance(TimeSpan.TicksPerSecond);
        _reading.Reset();
        _reading.Profile = _profile;
        _reading.DeviceId = "ems-1".AsMemory();
        _reading.Set(0, _value);
        _registry.Observe(_reading);
        _engine.Evaluate(_reading);
    }
}
