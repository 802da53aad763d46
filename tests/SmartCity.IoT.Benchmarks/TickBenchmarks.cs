using BenchmarkDotNet.Attributes;

namespace SmartCity.IoT.Benchmarks;

/// <summary>The once-a-second timer over 10,000 devices (staleness, absent(), pending and keep_firing_for expiry).</summary>
[Config(typeof(BenchmarkConfig))]
public class TickBenchmarks
{
    private Workload _workload = null!;

    [GlobalSetup]
    public void Setup()
    {
        _workload = new Workload();
        _workload.WarmUp(_workload.EvaluateAll, passes: 5);
    }

    [Benchmark(Description = "RuleEngine.Tick, 10k devices")]
    public void Tick() => _workload.Engine.Tick();
}
