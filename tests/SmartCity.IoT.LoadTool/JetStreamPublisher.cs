using System.Diagnostics;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace SmartCity.IoT.LoadTool;

/// <summary>
/// Publishes a recorded load straight into JetStream (MQTT topic a/b/c as subject a.b.c, so the account's partition
/// mapping applies as it does to nats-server's MQTT listener), keeping up to <c>window</c> publishes awaiting the
/// stream's acknowledgement. It measures the gateway on NATS rather than nats-server's MQTT bridge, whose QoS 1 path is
/// the slower one on a cluster.
/// </summary>
internal static class JetStreamPublisher
{
    public static async Task<(long StartMs, long EndMs, long Acked, long Failed)> RunAsync(string urls, IReadOnlyList<(string Topic, byte[] Payload)> messages, double rate, int window, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var nats = new NatsConnection(new NatsOpts { Url = urls, Name = $"loadtool-js-{Environment.ProcessId}" });
        await nats.ConnectAsync().ConfigureAwait(false);
        var js = new NatsJSContext(nats);
        var subjects = messages.Select(m => m.Topic.Replace('/', '.')).ToArray();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var permits = new SemaphoreSlim(window, window);
        long acked = 0;
        long failed = 0;
        var lastTicks = Stopwatch.GetTimestamp();
        var startMs = Broker.NowMs();
        var startTicks = Stopwatch.GetTimestamp();
        var clock = Stopwatch.StartNew();
        try
        {
            for (var i = 0; i < messages.Count; i++)
            {
                if (rate > 0 && (i & 15) == 0)
                {
                    var due = TimeSpan.FromSeconds(i / rate);
                    if (due > clock.Elapsed)
                    {
                        await Task.Delay(due - clock.Elapsed, deadline.Token).ConfigureAwait(false);
                    }
                }

                await permits.WaitAsync(deadline.Token).ConfigureAwait(false);
                _ = PublishOneAsync(subjects[i], messages[i].Payload);
            }

            for (var k = 0; k < window; k++)
            {
                await permits.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"publishing stopped early after {clock.Elapsed.TotalSeconds:F0} s");
        }

        var endMs = startMs + (long)Stopwatch.GetElapsedTime(startTicks, Interlocked.Read(ref lastTicks)).TotalMilliseconds;
        return (startMs, endMs, Interlocked.Read(ref acked), Interlocked.Read(ref failed));

        async Task PublishOneAsync(string subject, byte[] payload)
        {
            try
            {
                // A publish that finds no stream leader (an election) is retried: the load must arrive whole.
                for (var attempt = 0; ; attempt++)
                {
                    try
                    {
                        var ack = await js.PublishAsync(subject, payload, cancellationToken: deadline.Token).ConfigureAwait(false);
                        ack.EnsureSuccess();
                        Interlocked.Increment(ref acked);
                        break;
                    }
                    catch (Exception ex) when (ex is NatsException or NatsJSException && attempt < 20 && !deadline.IsCancellationRequested)
                    {
                        await Task.Delay(250, deadline.Token).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception)
            {
                Interlocked.Increment(ref failed);
            }
            finally
            {
                Interlocked.Exchange(ref lastTicks, Stopwatch.GetTimestamp());
                permits.Release();
            }
        }
    }
}
