using System.Diagnostics;
using System.Globalization;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace SmartCity.IoT.LoadTool;

/// <summary>
/// Replays a recorded load, by default through <see cref="StreamPublisher"/>; with --via client through MQTTnet's
/// client (for comparison: its publish path is the slower one). Through the client, each device's messages go through one connection (chosen by topic), so a device's
/// readings stay in order; each connection keeps up to --inflight publishes outstanding so QoS 1 is not bound by
/// round trips. Messages are built before the clock starts so the publisher spends its CPU on the wire only.
/// </summary>
internal static class PublishCommand
{
    public static async Task<int> RunAsync(Arguments options, CancellationToken cancellationToken)
    {
        var (host, port) = options.Broker();
        var qos = options.Number("qos", 1) == 0 ? MqttQualityOfServiceLevel.AtMostOnce : MqttQualityOfServiceLevel.AtLeastOnce;
        var rate = options.Real("rate", 0);
        var inflight = (int)options.Number("inflight", 20000);
        var connections = (int)options.Number("connections", 2);
        var timeout = TimeSpan.FromSeconds(options.Number("timeout", 600));
        var version = options.Text("mqtt", "5") switch
        {
            "5" => MqttProtocolVersion.V500,
            "3.1.1" => MqttProtocolVersion.V311,
            var other => throw new ArgumentException($"--mqtt must be 5 or 3.1.1, got '{other}'"),
        };
        var recorded = LoadFile.ReadAll(options.Text("file"), options.Number("count", long.MaxValue));
        // nats-server's MQTT listener refuses a topic with a '.' (its subject separator), e.g. Sparkplug's spBv1.0/...
        var skip = options.Text("skip-topics-with", "");
        var skipped = skip.Length == 0 ? 0 : recorded.RemoveAll(m => m.Topic.Contains(skip, StringComparison.Ordinal));
        var share = options.Text("share", "0/1").Split('/');
        if (share.Length != 2 || !int.TryParse(share[0], CultureInfo.InvariantCulture, out var shareIndex) || !int.TryParse(share[1], CultureInfo.InvariantCulture, out var shares)
            || shares < 1 || shareIndex < 0 || shareIndex >= shares)
        {
            throw new ArgumentException($"--share must be i/n with 0 <= i < n, got '{options.Text("share")}'");
        }

        // Several publishers split the load by topic (so each device's readings keep their order on one connection);
        // the hash must be the same in every process, which string.GetHashCode is not.
        if (shares > 1)
        {
            recorded.RemoveAll(m => TopicShare(m.Topic, shares) != shareIndex);
        }

        if (recorded.Count == 0)
        {
            throw new ArgumentException("the load file holds no messages" + (skipped > 0 ? $" once {skipped} with '{skip}' in their topic are skipped" : "") + (shares > 1 ? $" in share {shareIndex}/{shares}" : ""));
        }

        if (options.Text("dry-run", "false") == "true")
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $$"""{"selected":{{recorded.Count}},"skipped":{{skipped}}}"""));
            return 0;
        }

        if (options.Text("nats", "") is { Length: > 0 } natsUrls)
        {
            var (jsStart, jsEnd, jsAcked, jsFailed) = await JetStreamPublisher.RunAsync(natsUrls, recorded, rate, inflight, timeout, cancellationToken).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $$"""{"published":{{jsAcked}},"failed":{{jsFailed}},"skipped":{{skipped}},"startMs":{{jsStart}},"endMs":{{jsEnd}}}"""));
            return jsFailed == 0 && jsAcked == recorded.Count ? 0 : 1;
        }

        var via = options.Text("via", "stream");
        if (via == "stream")
        {
            var wire = StreamPublisher.Encode(recorded, qos, version, out var offsets);
            recorded.Clear();
            var publisher = new StreamPublisher();
            var (streamStart, streamEnd, sent) = publisher.Run(host, port, $"loadtool-pub-{Environment.ProcessId}", wire, offsets, version, qos == MqttQualityOfServiceLevel.AtLeastOnce, rate, inflight, timeout);
            var done = qos == MqttQualityOfServiceLevel.AtLeastOnce ? publisher.Acked : sent;
            if (publisher.Error is { } error)
            {
                Console.Error.WriteLine("publish: " + error);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $$"""{"published":{{done}},"failed":{{offsets.Length - 1 - done}},"skipped":{{skipped}},"startMs":{{streamStart}},"endMs":{{streamEnd}}}"""));
            return publisher.Error is null && done == offsets.Length - 1 ? 0 : 1;
        }

        if (via != "client")
        {
            throw new ArgumentException($"--via must be stream or client, got '{via}'");
        }

        if (version != MqttProtocolVersion.V500)
        {
            throw new ArgumentException("--via client publishes MQTT 5 only; use --via stream with --mqtt 3.1.1");
        }

        var messages = new MqttApplicationMessage[recorded.Count];
        var lanes = new int[recorded.Count];
        for (var i = 0; i < recorded.Count; i++)
        {
            messages[i] = new MqttApplicationMessageBuilder()
                .WithTopic(recorded[i].Topic)
                .WithPayload(recorded[i].Payload)
                .WithQualityOfServiceLevel(qos)
                .Build();
            lanes[i] = (int)((uint)StringComparer.Ordinal.GetHashCode(recorded[i].Topic) % (uint)connections);
        }

        recorded.Clear();
        var clients = new IMqttClient[connections];
        var windows = new SemaphoreSlim[connections];
        for (var c = 0; c < connections; c++)
        {
            clients[c] = await Broker.ConnectAsync(host, port, $"loadtool-pub-{Environment.ProcessId}-{c}", ushort.MaxValue, cancellationToken).ConfigureAwait(false);
            windows[c] = new SemaphoreSlim(inflight, inflight);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        long ok = 0;
        long failed = 0;
        long lastTicks = 0;
        var baseMs = Broker.NowMs();
        var clock = Stopwatch.StartNew();
        var startTicks = Stopwatch.GetTimestamp();
        try
        {
            for (var i = 0; i < messages.Length; i++)
            {
                if (rate > 0 && (i & 63) == 0)
                {
                    var due = TimeSpan.FromSeconds(i / rate);
                    if (due > clock.Elapsed)
                    {
                        await Task.Delay(due - clock.Elapsed, deadline.Token).ConfigureAwait(false);
                    }
                }

                var lane = lanes[i];
                await windows[lane].WaitAsync(deadline.Token).ConfigureAwait(false);
                var publish = clients[lane].PublishAsync(messages[i], deadline.Token);
                var window = windows[lane];
                if (publish.IsCompleted)
                {
                    Complete(publish, window);
                }
                else
                {
                    _ = publish.ContinueWith(t => Complete(t, window), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }

                if (i % 100_000 == 99_999)
                {
                    Console.Error.WriteLine($"{i + 1} published");
                }
            }

            // Wait for the last acknowledgements by taking back every permit.
            foreach (var window in windows)
            {
                for (var k = 0; k < inflight; k++)
                {
                    await window.WaitAsync(deadline.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"publishing stopped early after {clock.Elapsed.TotalSeconds:F0} s");
        }

        foreach (var client in clients)
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }

            client.Dispose();
        }

        var endMs = baseMs + (long)Stopwatch.GetElapsedTime(startTicks, Interlocked.Read(ref lastTicks)).TotalMilliseconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $$"""{"published":{{ok}},"failed":{{failed}},"startMs":{{baseMs}},"endMs":{{endMs}}}"""));
        return failed == 0 && ok == messages.Length ? 0 : 1;

        void Complete(Task<MqttClientPublishResult> task, SemaphoreSlim window)
        {
            if (task.IsCompletedSuccessfully && task.Result.IsSuccess)
            {
                Interlocked.Increment(ref ok);
            }
            else
            {
                Interlocked.Increment(ref failed);
            }

            Interlocked.Exchange(ref lastTicks, Stopwatch.GetTimestamp());
            window.Release();
        }
    }

    private static int TopicShare(string topic, int shares)
    {
        var hash = 2166136261u;
        foreach (var c in topic)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)shares);
    }
}
