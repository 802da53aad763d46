using System.Diagnostics;
using System.Globalization;

namespace SmartCity.IoT.LoadTool;

/// <summary>The ceiling: a subscriber that does nothing with a message but count it.</summary>
internal static class CountCommand
{
    public static async Task<int> RunAsync(Arguments options, CancellationToken cancellationToken)
    {
        var expect = options.Number("expect");
        var baseMs = Broker.NowMs();
        var baseTicks = Stopwatch.GetTimestamp();
        var subscription = new Subscription(expect);
        var reason = await subscription.RunAsync(options, $"loadtool-count-{Environment.ProcessId}", static _ => { }, cancellationToken).ConfigureAwait(false);
        var (first, last) = subscription.Window(baseMs, baseTicks);
        // Its own CPU, allocations and peak memory: MQTTnet's cost per message, the baseline under the gateway's figures.
        var cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes();
        var peakKb = File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).FirstOrDefault();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $$"""{"received":{{subscription.Received}},"firstMs":{{first}},"lastMs":{{last}},"stop":"{{reason}}","cpuSeconds":{{cpu:0.00}},"allocatedBytes":{{allocated}},"peakRssMb":{{peakKb / 1024}}}"""));
        return subscription.Received >= expect ? 0 : 1;
    }
}
