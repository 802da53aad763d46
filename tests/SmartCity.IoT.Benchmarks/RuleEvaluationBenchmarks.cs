using BenchmarkDotNet.Attributes;

namespace SmartCity.IoT.Benchmarks;

/// <summary>
/// Rule evaluation alone against 50 rules, for 10,000 devices (the target mix) and 1,000 devices (state fits in cache).
/// One operation = one reading; an invocation is always 10,000 readings (10 passes over 1,000 devices).
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class RuleEvaluationBenchmarks
{
    private Workload _engine = null!;
    private Workload _naive = null!;
    private int _passes;

    [Params(1_000, Workload.DeviceCount)]
    public int Devices { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Workload.Devices = Devices;
        _passes = Workload.DeviceCount / Devices;
        _engine = new Workload();
        _engine.WarmUp(_engine.EvaluateAll, passes: 30);
        _naive = new Workload();
        _naive.WarmUp(_naive.NaiveEvaluateAll, passes: 3);
    }

    [GlobalCleanup]
    public void Cleanup() => Workload.Devices = Workload.DeviceCount;

    [Benchmark(Baseline = true, OperationsPerInvoke = Workload.DeviceCount, Description = "naive LINQ/dictionary rules")]
    public void Naive()
    {
        for (var i = 0; i < _passes; i++)
        {
            _naive.NaiveEvaluateAll();
        }
    }

    [Benchmark(OperationsPerInvoke = Workload.DeviceCount, Description = "RuleEngine.Evaluate")]
    public void Engine()
    {
        for (var i = 0; i < _passes; i++)
        {
            _engine.EvaluateAll();
        }
    }
}
