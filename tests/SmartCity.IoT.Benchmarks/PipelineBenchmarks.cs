using BenchmarkDotNet.Attributes;

namespace SmartCity.IoT.Benchmarks;

/// <summary>Decode (device catalog) + registry + rules + line protocol for 10,000 devices. One operation = one message.</summary>
[Config(typeof(BenchmarkConfig))]
public class PipelineBenchmarks
{
    private Workload _engine = null!;
    private Workload _naive = null!;

    [GlobalSetup]
    public void Setup()
    {
        _engine = new Workload();
        _engine.WarmUp(_engine.PipelineAll);
        _naive = new Workload();
        _naive.WarmUp(_naive.NaivePipelineAll, passes: 3);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Workload.DeviceCount, Description = "naive JsonDocument + LINQ rules + StringBuilder")]
    public void Naive() => _naive.NaivePipelineAll();

    [Benchmark(OperationsPerInvoke = Workload.DeviceCount, Description = "decode + evaluate + encode")]
    public void Pipeline() => _engine.PipelineAll();
}
