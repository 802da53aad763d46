using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SmartCity.IoT.Core.DeadLetters;
using SmartCity.IoT.Influx;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;
using Xunit.Abstractions;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>
/// Issue 19: uplinks posted as The Things Stack's webhook and ChirpStack's HTTP integration post them, through the whole
/// gateway (its embedded broker only, no Mosquitto) into a real InfluxDB 1.6.7, read back by InfluxQL.
/// </summary>
public sealed partial class HttpIngestEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private const string TtsToken = "tts-secret-0123456789abcdef";
    private const string ChirpStackToken = "cs-secret-0123456789abcdef";
    private const string ChirpStackApp = "6f1c2a9e-3b7d-4c1e-9a55-0d2f8e4b7c31";
    private readonly string _tokenVariable = "SMARTCITY_IT_TTS_TOKEN_" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _tokenFile = Path.GetTempFileName();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];
    private int _uplinks;

    [Fact]
    public async Task TTS_and_ChirpStack_uplinks_need_their_token_and_are_stored()
    {
        using var influxServer = new InfluxServer();
        await influxServer.StartAsync();
        using var influx = new InfluxHttp(influxServer.Url);
        const string database = "ingest";
        await influx.CreateDatabaseAsync(database);
        await using var gateway = await StartAsync(influxServer.Url, database, s =>
        {
            s["HttpIngest:Sources:2:Name"] = "limited";
            s["HttpIngest:Sources:2:Format"] = "tts";
            s["HttpIngest:Sources:2:TokenEnv"] = _tokenVariable;
            s["HttpIngest:Sources:2:RatePerSecond"] = "1";
            s["HttpIngest:Sources:2:RateBurst"] = "2";
            s["HttpIngest:Sources:2:MaxBodyBytes"] = "1024";
        });

        var tts = TtsUplink($"lht65-{_tag}-a");
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(gateway, "/ingest/tts", tts)).Status);
        var wrong = await PostAsync(gateway, "/ingest/tts", tts, r => r.Headers.Add("Authorization", "Bearer " + TtsToken + "x"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        Assert.Contains("Authorization", wrong.Body, StringComparison.Ordinal);
        var stored = await PostAsync(gateway, "/ingest/tts", tts, Bearer);
        Assert.Equal(HttpStatusCode.OK, stored.Status);
        Assert.Contains("\"stored\"", stored.Body, StringComparison.Ordinal);

        var devEui = $"a84041{_tag}";
        var chirp = ChirpStackUplink(devEui);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(gateway, "/ingest/chirpstack?event=up", chirp, Bearer)).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(gateway, "/ingest/chirpstack?event=up", chirp, ApiKey)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await PostAsync(gateway, "/ingest/chirpstack?event=join", """{"deviceInfo":{"devEui":"a8"}}""", ApiKey)).Status);

        // Both are in InfluxDB right after the 200: the answer waited for the durable write.
        Assert.Equal(1, await CountAsync(influx, database, $"lht65-{_tag}-a"));
        Assert.Equal(1, await CountAsync(influx, database, devEui));

        var bad = await PostAsync(gateway, "/ingest/tts", """{"end_device_ids":{"device_id":"x"},"uplink_message":{"frm_payload":"not base64!"}}""", Bearer);
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Contains("uplink_message.frm_payload is not valid base64 text", bad.Body, StringComparison.Ordinal);
        Assert.Contains(gateway.Get<DeadLetterStore>().Recent(), r => r.Reason == "invalid_uplink" && r.Detail.Contains("frm_payload", StringComparison.Ordinal) && r.Source == "POST /ingest/tts");

        var proto = await PostAsync(gateway, "/ingest/tts", "\u0008\u0001", r => { Bearer(r); r.Content!.Headers.ContentType = new("application/octet-stream"); });
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, proto.Status);

        var large = await PostAsync(gateway, "/ingest/limited", TtsUplink($"lht65-{_tag}-big", padding: 2000), Bearer);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.Status);
        // Ten at once against a burst of 2 (the 413 took one) and 1 a second: the most a refill in between lets through is 2.
        var burst = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => PostAsync(gateway, "/ingest/limited", TtsUplink($"lht65-{_tag}-r{i}"), Bearer)));
        var limited = burst.Where(a => a.Status == HttpStatusCode.TooManyRequests).ToArray();
        Assert.InRange(limited.Length, 8, 9);
        Assert.All(limited, a => Assert.Equal("1", a.RetryAfter));
        Assert.All(burst.Except(limited), a => Assert.Equal(HttpStatusCode.OK, a.Status));

        var metrics = await _http.GetStringAsync(gateway.BaseUrl + "/metrics");
        Assert.Equal(2, Metric(metrics, "smartcity_iot_ingest_requests_total", "source=\"tts\"", "outcome=\"unauthorized\""));
        Assert.Equal(1, Metric(metrics, "smartcity_iot_ingest_requests_total", "source=\"chirpstack\"", "outcome=\"stored\""));
        Assert.Equal(limited.Length, Metric(metrics, "smartcity_iot_ingest_requests_total", "source=\"limited\"", "outcome=\"rate_limited\""));
    }

    [Fact]
    public async Task While_InfluxDB_is_down_uplinks_are_answered_from_the_spool_then_drained_into_it()
    {
        using var influxServer = new InfluxServer();
        await influxServer.StartAsync();
        using var influx = new InfluxHttp(influxServer.Url);
        const string database = "ingestdown";
        await influx.CreateDatabaseAsync(database);
        influxServer.Stop();
        await using var gateway = await StartAsync(influxServer.Url, database);

        var devices = Enumerable.Range(0, 30).Select(i => $"lht65-{_tag}-d{i}").ToArray();
        var answers = await Task.WhenAll(devices.Select(d => PostAsync(gateway, "/ingest/tts", TtsUplink(d), Bearer)));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        var store = gateway.Get<StoreStatus>();
        Assert.True(store.Spooled >= devices.Length, $"{store.Spooled} lines spooled; every answered uplink should be in the spool while InfluxDB is down");

        await influxServer.StartAsync();
        foreach (var device in devices)
        {
            Assert.Equal(1, await Eventually.WaitAsync(() => CountAsync(influx, database, device), n => n >= 1, TimeSpan.FromSeconds(60), $"{device} drained from the spool"));
        }
    }

    [Fact]
    public async Task A_full_spool_under_Block_is_answered_503_with_Retry_After_counted_and_shown()
    {
        using var influxServer = new InfluxServer();
        await influxServer.StartAsync();
        using var influx = new InfluxHttp(influxServer.Url);
        const string database = "ingestfull";
        await influx.CreateDatabaseAsync(database);
        influxServer.Stop();
        await using var gateway = await StartAsync(influxServer.Url, database, s =>
        {
            s["Spool:SegmentBytes"] = "4096";
            s["Spool:MaxBytes"] = "8192";
            s["Spool:FullPolicy"] = "Block";
            s["Pipeline:BatchSize"] = "10";
            s["HttpIngest:AnswerTimeout"] = "00:00:01";
        });

        var storedDevices = new List<string>();
        Answer? refused = null;
        for (var round = 0; round < 40 && refused is null; round++)
        {
            var devices = Enumerable.Range(0, 10).Select(i => $"lht65-{_tag}-f{round}-{i}").ToArray();
            var answers = await Task.WhenAll(devices.Select(d => PostAsync(gateway, "/ingest/tts", TtsUplink(d), Bearer)));
            storedDevices.AddRange(devices.Where((_, i) => answers[i].Status == HttpStatusCode.OK));
            refused = answers.FirstOrDefault(a => a.Status == HttpStatusCode.ServiceUnavailable && a.Body.Contains("spool is full", StringComparison.Ordinal));
        }

        Assert.NotNull(refused);
        output.WriteLine($"{storedDevices.Count} stored before the spool filled; refused with: {refused.Body}");
        Assert.Equal("30", refused.RetryAfter);
        Assert.True(gateway.Get<StoreStatus>().SpoolFull);

        var metrics = await _http.GetStringAsync(gateway.BaseUrl + "/metrics");
        Assert.True(Metric(metrics, "smartcity_iot_ingest_refused_total", "source=\"tts\"", "reason=\"spool_full\"") >= 1, "refusals counted per source and reason");
        var flow = await _http.GetStringAsync(gateway.BaseUrl + "/flow");
        Assert.Matches("Source tts.*refused \\(503", flow);

        // Nothing answered 200 is lost: once InfluxDB is back, every stored uplink is there.
        await influxServer.StartAsync();
        foreach (var device in storedDevices)
        {
            Assert.Equal(1, await Eventually.WaitAsync(() => CountAsync(influx, database, device), n => n >= 1, TimeSpan.FromSeconds(60), $"{device}, answered 200, in InfluxDB"));
        }
    }

    [Fact]
    public async Task The_same_uplink_posted_twice_is_stored_once_and_evaluated_once()
    {
        using var influxServer = new InfluxServer();
        await influxServer.StartAsync();
        using var influx = new InfluxHttp(influxServer.Url);
        const string database = "ingestdup";
        await influx.CreateDatabaseAsync(database);
        await using var gateway = await StartAsync(influxServer.Url, database);
        var stats = gateway.Get<SmartCity.IoT.Gateway.Pipeline.PipelineStats>();

        var device = $"lht65-{_tag}-dup";
        var body = TtsUplink(device);
        var before = stats.Received;
        // At once (the repeat joins the first post's wait) and again after it was stored.
        var both = await Task.WhenAll(PostAsync(gateway, "/ingest/tts", body, Bearer), PostAsync(gateway, "/ingest/tts", body, Bearer));
        var again = await PostAsync(gateway, "/ingest/tts", body, Bearer);
        var chirp = ChirpStackUplink($"a84042{_tag}");
        var chirpFirst = await PostAsync(gateway, "/ingest/chirpstack?event=up", chirp, ApiKey);
        var chirpAgain = await PostAsync(gateway, "/ingest/chirpstack?event=up", chirp, ApiKey);

        Assert.All(both.Append(again).Append(chirpFirst).Append(chirpAgain), a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Single(both, a => a.Body.Contains("\"duplicate\"", StringComparison.Ordinal));
        Assert.Contains("\"duplicate\"", again.Body, StringComparison.Ordinal);
        Assert.Contains("\"duplicate\"", chirpAgain.Body, StringComparison.Ordinal);
        // The pipeline (so the rule engine) saw each uplink once.
        Assert.Equal(2, stats.Received - before);
        Assert.Equal(1, await CountAsync(influx, database, device));
        var metrics = await _http.GetStringAsync(gateway.BaseUrl + "/metrics");
        Assert.Equal(2, Metric(metrics, "smartcity_iot_ingest_requests_total", "source=\"tts\"", "outcome=\"duplicate\""));
    }

    public void Dispose()
    {
        _http.Dispose();
        Environment.SetEnvironmentVariable(_tokenVariable, null);
        File.Delete(_tokenFile);
    }

    private async Task<GatewayInstance> StartAsync(string influxUrl, string database, Action<Dictionary<string, string?>>? configure = null)
    {
        Environment.SetEnvironmentVariable(_tokenVariable, TtsToken);
        await File.WriteAllTextAsync(_tokenFile, ChirpStackToken + "\n");
        return await GatewayInstance.StartAsync(s =>
        {
            // The embedded broker only: the uplinks come by HTTP.
            s["Mqtt:Host"] = "";
            s["Mqtt:EmbeddedPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture);
            s["Influx:Url"] = influxUrl;
            s["Influx:Api"] = "v1";
            s["Influx:Database"] = database;
            s["Influx:RetryBudget"] = "00:00:00.500";
            s["Influx:ReplayMaxDelay"] = "00:00:01";
            s["HttpIngest:Sources:0:Name"] = "tts";
            s["HttpIngest:Sources:0:Format"] = "tts";
            s["HttpIngest:Sources:0:TokenEnv"] = _tokenVariable;
            s["HttpIngest:Sources:1:Name"] = "chirpstack";
            s["HttpIngest:Sources:1:Format"] = "chirpstack";
            s["HttpIngest:Sources:1:TokenFile"] = _tokenFile;
            s["HttpIngest:Sources:1:Header"] = "X-Api-Key";
            configure?.Invoke(s);
        });
    }

    private string TtsUplink(string device, int padding = 0)
    {
        var at = DateTime.UtcNow.AddMilliseconds(Interlocked.Increment(ref _uplinks)).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        return $$"""
            {"end_device_ids":{"device_id":"{{device}}","application_ids":{"application_id":"pavilion-lht65"},"dev_eui":"A840414A81834E9B"},"correlation_ids":["as:up:{{Guid.NewGuid():N}}"],"received_at":"{{at}}","uplink_message":{"f_port":2,"f_cnt":{{_uplinks}},"frm_payload":"y70JJAI1AX//","rx_metadata":[{"gateway_ids":{"gateway_id":"hq-roof-gw"},"rssi":-87,"snr":7.5}],"received_at":"{{at}}","note":"{{new string('x', padding)}}"} }
            """;
    }

    private string ChirpStackUplink(string devEui)
    {
        var at = DateTime.UtcNow.AddMilliseconds(Interlocked.Increment(ref _uplinks)).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        return $$"""
            {"deduplicationId":"{{Guid.NewGuid()}}","time":"{{at}}","deviceInfo":{"applicationId":"{{ChirpStackApp}}","deviceName":"lht65-office","devEui":"{{devEui}}"},"fCnt":{{_uplinks}},"fPort":2,"data":"y70JJAI1AX//","rxInfo":[{"rssi":-87,"snr":7.5}] }
            """;
    }

    private static void Bearer(HttpRequestMessage request) => request.Headers.Add("Authorization", "Bearer " + TtsToken);

    private static void ApiKey(HttpRequestMessage request) => request.Headers.Add("X-Api-Key", ChirpStackToken);

    private async Task<Answer> PostAsync(GatewayInstance gateway, string path, string body, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, gateway.BaseUrl + path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        configure?.Invoke(request);
        using var response = await _http.SendAsync(request);
        return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(CultureInfo.InvariantCulture));
    }

    private static async Task<long> CountAsync(InfluxHttp influx, string database, string device)
    {
        var rows = await influx.QueryAsync(database, $"SELECT count(\"temperature\") FROM \"environment\" WHERE \"device\" = '{device}'");
        return rows.Count == 0 ? 0 : rows[0]["count"].GetInt64();
    }

    private static long Metric(string metrics, string name, params string[] labels)
    {
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(l => line.Contains(l, StringComparison.Ordinal)))
            {
                return long.Parse(MetricValue().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"no {name} with {string.Join(", ", labels)} on /metrics");
    }

    [GeneratedRegex(@"\}\s+(\d+)")]
    private static partial Regex MetricValue();

    private sealed record Answer(HttpStatusCode Status, string Body, string? RetryAfter);
}
