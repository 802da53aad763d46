using System.Diagnostics;
using System.Globalization;

namespace SmartCity.IoT.LoadTool;

/// <summary>Saves a load once (from `simulate`) so every contender gets exactly the same messages.</summary>
internal static class RecordCommand
{
    public static async Task<int> RunAsync(Arguments options, CancellationToken cancellationToken)
    {
        var expect = options.Number("count");
        var path = options.Text("out");
        var gate = new Lock();
        long bytes = 0;
        await using var file = new BufferedStream(File.Create(path), 1 << 20);
        var baseMs = Broker.NowMs();
        var baseTicks = Stopwatch.GetTimestamp();
        var subscription = new Subscription(expect);
        var reason = await subscription.RunAsync(options, $"loadtool-record-{Environment.ProcessId}", message =>
        {
            lock (gate)
            {
                // Past the count the extra messages are not part of the load (the recorder stops on the count).
                if (subscription.Received < expect)
                {
                    LoadFile.Append(file, message.Topic, message.Payload);
                    bytes += message.Payload.Length;
                }
            }
        }, cancellationToken).ConfigureAwait(false);
        lock (gate)
        {
            file.Flush();
        }

        var saved = Math.Min(subscription.Received, expect);
        var (first, last) = subscription.Window(baseMs, baseTicks);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $$"""{"recorded":{{saved}},"payloadBytes":{{bytes}},"firstMs":{{first}},"lastMs":{{last}},"stop":"{{reason}}"}"""));
        return saved >= expect ? 0 : 1;
    }
}
