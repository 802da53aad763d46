using System.Diagnostics;
using BenchmarkDotNet.Running;
using SmartCity.IoT.Benchmarks;

// Children inherit this, so every benchmark finds devices/ wherever it runs.
Environment.SetEnvironmentVariable(RepoRoot.Variable, RepoRoot.Find());

if (args is ["--quick", ..])
{
    if (args.Length > 1)
    {
        Workload.Devices = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    if (args.Length > 2)
    {
        // "default": the benchmark's own rules without the naive runs (for profiling).
        Workload.RulesYaml = args[2] == "default" ? BenchmarkRules.Yaml() : File.ReadAllText(args[2]);
    }

    // A fast sanity check (not a measurement): allocations per reading and a rough rate for each path.
    var w = new Workload();
    Quick("evaluate", w, w.EvaluateAll);
    var p = new Workload();
    Quick("pipeline", p, p.PipelineAll);
    if (Workload.RulesYaml is null)
    {
        var nw = new Workload();
        Quick("naive evaluate", nw, nw.NaiveEvaluateAll, warmUpPasses: 3, passes: 3);
        var np = new Workload();
        Quick("naive pipeline", np, np.NaivePipelineAll, warmUpPasses: 3, passes: 3);
    }

    using (var checkpoint = new MemoryStream())
    {
        var sw = Stopwatch.StartNew();
        w.Engine.SaveCheckpoint(checkpoint);
        var saved = sw.Elapsed;
        checkpoint.Position = 0;
        sw.Restart();
        w.Engine.RestoreCheckpoint(checkpoint);
        Console.WriteLine($"checkpoint: {checkpoint.Length / 1024.0 / 1024.0:F1} MiB, save {saved.TotalMilliseconds:F0} ms, restore {sw.Elapsed.TotalMilliseconds:F0} ms");
    }

    Console.WriteLine($"rules: {w.Rules.Count}, applying to one device: {w.RulesPerDevice}, alerts published in warm-up: {w.Publisher.Count}, active: {w.Engine.ActiveAlerts().Count}");
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Workload).Assembly).Run(args);

static void Quick(string name, Workload w, Action pass, int warmUpPasses = 30, int passes = 0)
{
    w.WarmUp(pass, warmUpPasses);
    var before = GC.GetAllocatedBytesForCurrentThread();
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var sw = Stopwatch.StartNew();
    passes = passes > 0 ? passes : Math.Max(20, 1_000_000 / Workload.Devices);
    for (var i = 0; i < passes; i++)
    {
        pass();
    }

    sw.Stop();
    var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
    var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
    var n = passes * Workload.Devices;

    // Then each pass timed alone: on a shared machine the median and best passes are steadier than the total.
    var times = new double[passes];
    for (var i = 0; i < passes; i++)
    {
        var t = Stopwatch.GetTimestamp();
        pass();
        times[i] = Stopwatch.GetElapsedTime(t).TotalSeconds;
    }

    Array.Sort(times);
    // CPU time, not wall time, gives a per-core rate that survives a busy shared machine.
    Console.WriteLine($"{name}: {n / cpuUsed.TotalSeconds:N0} readings/s per core (CPU time), {n / sw.Elapsed.TotalSeconds:N0}/s wall, " +
        $"median pass {Workload.Devices / times[passes / 2]:N0}/s, best pass {Workload.Devices / times[0]:N0}/s, {(double)bytes / n:F2} bytes/reading");
}
