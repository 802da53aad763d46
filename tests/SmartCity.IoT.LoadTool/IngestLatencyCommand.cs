using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace SmartCity.IoT.LoadTool;

/// <summary>
/// `ingest`: The Things Stack-style uplinks posted to an HTTP ingest source at a steady rate (open loop: each request
/// leaves on schedule whatever the earlier ones are doing), each timed from its send to its answer. Bounded by
/// --count and --timeout. Prints one JSON line: answers by status code and the answer-time percentiles.
/// </summary>
internal static class IngestLatencyCommand
{
    public static async Task<int> RunAsync(Arguments args, CancellationToken cancellationToken)
    {
        var url = args.Text("url");
        var token = Environment.GetEnvironmentVariable(args.Text("token-env")) ?? throw new ArgumentException($"the environment variable named by --token-env ({args.Text("token-env")}) is not set");
        var count = (int)args.Number("count");
        var rate = args.Real("rate", 1000);
        var devices = (int)args.Number("devices", 500);
        var tag = args.Text("tag", "bench");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(args.Number("timeout", 120)));
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 4096, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };

        var latencies = new double[count];
        var codes = new int[count];
        var tasks = new Task[count];
        var clock = Stopwatch.StartNew();
        var start = DateTime.UtcNow;
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed, timeout.Token).ConfigureAwait(false);
            }

            var body = Uplink($"{tag}-{i % devices}", start.AddTicks(i * 10), i);
            var index = i;
            tasks[i] = Task.Run(async () =>
            {
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                    request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
                    using var response = await http.SendAsync(request, timeout.Token).ConfigureAwait(false);
                    codes[index] = (int)response.StatusCode;
                }
                catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
                {
                    codes[index] = 0;
                }

                latencies[index] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
            }, CancellationToken.None);
        }

        var sending = clock.Elapsed;
        await Task.WhenAll(tasks).ConfigureAwait(false);
        var sorted = latencies.Order().ToArray();
        double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        var result = new Dictionary<string, object>
        {
            ["sent"] = count,
            ["rate_achieved"] = Math.Round(count / sending.TotalSeconds, 1),
            ["answers"] = codes.GroupBy(c => c == 0 ? "no_answer" : c.ToString(CultureInfo.InvariantCulture)).ToDictionary(g => g.Key, g => g.Count()),
            ["p50_ms"] = Math.Round(P(0.50), 1),
            ["p95_ms"] = Math.Round(P(0.95), 1),
            ["p99_ms"] = Math.Round(P(0.99), 1),
            ["max_ms"] = Math.Round(sorted[^1], 1),
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return codes.All(c => c is >= 200 and < 300) ? 0 : 1;
    }

    // The Dragino LHT65 frame of devices/dragino/lht65.yaml; each uplink its own receive time and frame counter.
    private static string Uplink(string device, DateTime at, int counter) =>
        $$"""{"end_device_ids":{"device_id":"{{device}}","application_ids":{"application_id":"pavilion-lht65"},"dev_eui":"A840414A81834E9B"},"received_at":"{{at:yyyy-MM-ddTHH:mm:ss.fffffffZ}}","uplink_message":{"f_port":2,"f_cnt":{{counter}},"frm_payload":"y70JJAI1AX//","rx_metadata":[{"rssi":-87,"snr":7.5}],"received_at":"{{at:yyyy-MM-ddTHH:mm:ss.fffffffZ}}"} }""";
}
