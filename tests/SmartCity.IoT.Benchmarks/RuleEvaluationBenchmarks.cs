using BenchmarkDotNet.Attributes;

namespace SmartCity.IoT.Benchmarks;

/// <summary>Rule evaluation alone: pre-decoded readings of 10,000 devices against 50 rules. One operation = one reading.</summary>
[Config(typeof(BenchmarkConfig))]
public class RuleEvaluationBenchmarks
{
    private Workload _engine = null!;
    private Workload _naive = null!;

    [GlobalSetup]
    public void Setup()
    {
        _engine = new Workload();
        _engine.WarmUp(_engine.EvaluateAll);
        _naive = new Workload();
        _naive.WarmUp(_naive.NaiveEvaluateAll, passes: 3);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Workload.DeviceCount, Description = "naive LINQ/dictionary rules")]
    public void Naive() => _naive.NaiveEvaluateAll();

    [Benchmark(OperationsPerInvoke = Workload.DeviceCount, Description = "RuleEngine.Evaluate")]
    public void Engine() => _engine.EvaluateAll();
}
