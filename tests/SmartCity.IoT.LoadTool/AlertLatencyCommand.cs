using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;

namespace SmartCity.IoT.LoadTool;

/// <summary>
/// Alert latency end to end: publishes readings that cross a threshold (one new device each, at a steady rate, amid
/// normal background readings) and times each one from its publish to the webhook's arrival at a real HTTP receiver
/// here. Publish-to-accepted includes the broker's hop, so it bounds the gateway's received-to-accepted from above.
/// </summary>
internal static class AlertLatencyCommand
{
    public static async Task<int> RunAsync(Arguments options, CancellationToken cancellationToken)
    {
        var (host, port) = options.Broker();
        var listen = (int)options.Number("listen");
        var count = (int)options.Number("count");
        var rate = options.Real("rate", 20);
        var background = options.Real("background-rate", 1000);
        var timeout = TimeSpan.FromSeconds(options.Number("timeout", 60));
        var tag = options.Text("tag", DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture));
        if (count <= 0 || rate <= 0 || background < 0)
        {
            throw new ArgumentException("--count and --rate must be positive, --background-rate not negative");
        }

        var clock = Stopwatch.StartNew();
        var sent = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var arrived = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{listen}/");
        listener.Start();
        var receiving = ReceiveAsync(listener, clock, arrived, cancellationToken);

        using var client = await Broker.ConnectAsync(host, port, "alert-latency-" + tag, 100, cancellationToken).ConfigureAwait(false);
        var interval = TimeSpan.FromSeconds(1 / rate);
        var perAlert = background / rate; // background readings sent between two alert readings
        var carry = 0.0;
        var normal = 0;
        for (var i = 0; i < count && !cancellationToken.IsCancellationRequested; i++)
        {
            var due = interval * i;
            if (clock.Elapsed < due)
            {
                await Task.Delay(due - clock.Elapsed, cancellationToken).ConfigureAwait(false);
            }

            var device = $"lat-{tag}-{i:D5}";
            sent[device] = clock.ElapsedTicks;
            await PublishAsync(client, device, 1800, cancellationToken).ConfigureAwait(false);
            for (carry += perAlert; carry >= 1; carry--)
            {
                await PublishAsync(client, $"bg-{tag}-{normal++ % 500:D3}", 600, cancellationToken).ConfigureAwait(false);
            }
        }

        var deadline = clock.Elapsed + timeout;
        while (arrived.Count < count && clock.Elapsed < deadline)
        {
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        listener.Stop();
        await receiving.ConfigureAwait(false);
        var ms = sent.Where(s => arrived.ContainsKey(s.Key))
            .Select(s => (arrived[s.Key] - s.Value) * 1000.0 / Stopwatch.Frequency)
            .Order()
            .ToArray();
        double P(double q) => ms.Length == 0 ? double.NaN : ms[Math.Min(ms.Length - 1, (int)Math.Ceiling(q * ms.Length) - 1)];
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            sent = count,
            received = ms.Length,
            p50_ms = Math.Round(P(0.50), 1),
            p95_ms = Math.Round(P(0.95), 1),
            p99_ms = Math.Round(P(0.99), 1),
            max_ms = Math.Round(ms.LastOrDefault(), 1),
        }));
        return ms.Length == count ? 0 : 1;
    }

    private static Task PublishAsync(IMqttClient client, string device, int co2, CancellationToken cancellationToken)
    {
        var payload = Encoding.UTF8.GetBytes("{\"ts\":" + DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + ",\"air\":{\"co2\":" + co2 + "}}");
        var message = new MqttApplicationMessageBuilder()
            .WithTopic($"buildings/lat/floors/1/env/{device}/telemetry")
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        return client.PublishAsync(message, cancellationToken);
    }

    /// <summary>Records the arrival of each device's first firing webhook, answering 200 to every request.</summary>
    private static async Task ReceiveAsync(HttpListener listener, Stopwatch clock, ConcurrentDictionary<string, long> arrived, CancellationToken cancellationToken)
    {
        while (listener.IsListening && !cancellationToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }

            var at = clock.ElapsedTicks;
            using (var reader = new StreamReader(context.Request.InputStream))
            {
                var body = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
                using var json = JsonDocument.Parse(body);
                foreach (var alert in json.RootElement.GetProperty("alerts").EnumerateArray())
                {
                    if (alert.GetProperty("status").GetString() == "firing" && alert.GetProperty("device").GetString() is { } device)
                    {
                        arrived.TryAdd(device, at);
                    }
                }
            }

            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }
}
