using System.Diagnostics;
using MQTTnet;
using MQTTnet.Protocol;

namespace SmartCity.IoT.LoadTool;

/// <summary>
/// One subscriber that hands each message to a callback and ends when it has seen the expected count, when no
/// message came for the idle time after the first one, or at the overall timeout: every wait is bounded.
/// </summary>
internal sealed class Subscription
{
    private readonly long _expect;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _received;
    private long _firstTicks;
    private long _lastTicks;

    public Subscription(long expect) => _expect = expect;

    public long Received => Interlocked.Read(ref _received);

    /// <summary>Wall-clock milliseconds of the first and last message, comparable across processes.</summary>
    public (long FirstMs, long LastMs) Window(long baseMs, long baseTicks) =>
        (baseMs + (long)Stopwatch.GetElapsedTime(baseTicks, Interlocked.Read(ref _firstTicks)).TotalMilliseconds,
         baseMs + (long)Stopwatch.GetElapsedTime(baseTicks, Interlocked.Read(ref _lastTicks)).TotalMilliseconds);

    public async Task<string> RunAsync(Arguments options, string clientId, Action<MqttApplicationMessage> onMessage, CancellationToken cancellationToken)
    {
        var (host, port) = options.Broker();
        var qos = options.Number("qos", 1) == 0 ? MqttQualityOfServiceLevel.AtMostOnce : MqttQualityOfServiceLevel.AtLeastOnce;
        var timeout = TimeSpan.FromSeconds(options.Number("timeout", 600));
        var idle = TimeSpan.FromSeconds(options.Number("idle", 30));
        var firstWait = TimeSpan.FromSeconds(options.Number("first-timeout", 120));
        var readyFile = options.Text("ready-file", "");
        var receiveMaximum = (ushort)Math.Clamp(options.Number("receive-max", 65535), 1, 65535);

        using var client = await Broker.ConnectAsync(host, port, clientId, receiveMaximum, cancellationToken).ConfigureAwait(false);
        client.ApplicationMessageReceivedAsync += e =>
        {
            var now = Stopwatch.GetTimestamp();
            onMessage(e.ApplicationMessage);
            var n = Interlocked.Increment(ref _received);
            if (n == 1)
            {
                Interlocked.Exchange(ref _firstTicks, now);
            }

            Interlocked.Exchange(ref _lastTicks, now);
            if (n == _expect)
            {
                _done.TrySetResult();
            }

            return Task.CompletedTask;
        };
        var subscribe = new MqttClientFactory().CreateSubscribeOptionsBuilder()
            // Retained messages left on a shared broker by earlier tests are not part of the load.
            .WithTopicFilter(f => f.WithTopic(options.Text("topic", "#")).WithQualityOfServiceLevel(qos).WithRetainHandling(MqttRetainHandling.DoNotSendOnSubscribe))
            .Build();
        await client.SubscribeAsync(subscribe, cancellationToken).ConfigureAwait(false);
        if (readyFile.Length > 0)
        {
            await File.WriteAllTextAsync(readyFile, "subscribed\n", cancellationToken).ConfigureAwait(false);
        }

        var started = Stopwatch.StartNew();
        string reason;
        while (true)
        {
            if (await Task.WhenAny(_done.Task, Task.Delay(100, cancellationToken)).ConfigureAwait(false) == _done.Task)
            {
                reason = "count";
                break;
            }

            if (started.Elapsed > timeout)
            {
                reason = "timeout";
                break;
            }

            var last = Interlocked.Read(ref _lastTicks);
            if (last != 0 && Stopwatch.GetElapsedTime(last) > idle)
            {
                reason = "idle";
                break;
            }

            if (last == 0 && started.Elapsed > firstWait)
            {
                reason = "nothing arrived";
                break;
            }

            var done = Received;
            if (done > 0 && started.Elapsed.TotalSeconds % 5 < 0.1)
            {
                Console.Error.WriteLine($"{done} received");
            }
        }

        await client.DisconnectAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
        return reason;
    }
}
