using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>/metrics of a running gateway process as Prometheus sees it, checked by promtool; /readyz as a probe sees it.</summary>
public sealed partial class MetricsEndpointTests
{
    private const string Rule = """
        rules:
          - name: it_metrics_co2
            match: { family: environment }
            expr: co2 > 1000
            clear: co2 < 900
            severity: warning
        """;

    [Fact]
    public async Task Every_documented_metric_is_exported_from_start_up_and_promtool_finds_no_problem()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var data = new TempDir("smartcity-metrics");
        var rules = Directory.CreateDirectory(Path.Combine(data.Path, "rules")).FullName;
        await File.WriteAllTextAsync(Path.Combine(rules, "it.yaml"), Rule);
        var port = FreePort.Next();
        var settings = GatewayInstance.DefaultSettings(data.Path, TestEnvironment.MosquittoPort);
        settings["Http:Urls"] = $"http://127.0.0.1:{port}";
        settings["Gateway:RulesPath"] = rules;
        settings["Influx:Url"] = TestEnvironment.InfluxUrl;
        settings["Influx:Api"] = "v1";
        settings["Influx:Database"] = InfluxHttp.NewDatabaseName("metrics"); // created by the gateway (Influx:CreateDatabase)
        receiver.AddEndpointTo(settings);
        settings["Webhooks:0:MinSeverity"] = "Info";
        // An HTTP ingest source, so its per-source series exist too.
        var tokenFile = Path.Combine(data.Path, "ingest.token");
        const string IngestToken = "metrics-ingest-token-0123456789";
        await File.WriteAllTextAsync(tokenFile, IngestToken);
        settings["HttpIngest:Sources:0:Name"] = "tts";
        settings["HttpIngest:Sources:0:Format"] = "tts";
        settings["HttpIngest:Sources:0:TokenFile"] = tokenFile;
        using var gateway = new GatewayProcess(GatewayProcess.WriteConfig(data.Path, settings));
        gateway.Start();
        var baseUrl = $"http://127.0.0.1:{port}";
        await GatewayProcess.WaitReadyAsync(baseUrl);
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(5) };

        // Before any reading: every counter and gauge is there, at 0.
        var idle = await http.GetStringAsync("/metrics");
        Assert.Contains("smartcity_iot_messages_acknowledged_total{", idle, StringComparison.Ordinal);
        Assert.Contains("smartcity_iot_influx_lines_written_total{", idle, StringComparison.Ordinal);
        Assert.Contains("smartcity_iot_alerts_webhook_deliveries_total{", idle, StringComparison.Ordinal);
        Assert.Contains("reason=\"MalformedPayload\"", idle, StringComparison.Ordinal);
        Assert.Contains("smartcity_iot_ingest_requests_total{", idle, StringComparison.Ordinal);

        // One ingest answer (a body that is no uplink: 400), for the answer-time histogram.
        using (var post = new HttpRequestMessage(HttpMethod.Post, "/ingest/tts") { Content = new StringContent("{}", Encoding.UTF8, "application/json") })
        {
            post.Headers.Add("Authorization", "Bearer " + IngestToken);
            using var answer = await http.SendAsync(post);
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, answer.StatusCode);
        }

        var device = "ies-metrics-" + Guid.NewGuid().ToString("N")[..6];
        await using (var publisher = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort))
        {
            var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            await publisher.PublishAsync($"buildings/hq/floors/7/env/{device}/telemetry",
                Encoding.UTF8.GetBytes("{\"ts\":" + ts + ",\"climate\":{\"t\":23.1,\"rh\":55.0},\"air\":{\"co2\":1650}}"));
        }

        await Eventually.WaitAsync(() => Task.FromResult(receiver.Received.Count), n => n >= 1, TimeSpan.FromSeconds(30), "the firing webhook");
        var text = await Eventually.WaitAsync(() => http.GetStringAsync("/metrics"),
            m => m.Contains("smartcity_iot_alerts_latency_seconds_count", StringComparison.Ordinal) && ActiveGauge().IsMatch(m), TimeSpan.FromSeconds(20),
            "the alert latency histogram and the firing alert in the active gauge (refreshed every 5 s)");

        var ours = string.Join('\n', text.Split('\n').Where(l => FamilyOf(l) is { } f && f.StartsWith("smartcity_", StringComparison.Ordinal))) + "\n";
        var families = ours.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToHashSet(StringComparer.Ordinal);
        var (code, problems) = await PromtoolAsync(ours);
        Assert.True(code == 0 && problems.Trim().Length == 0, $"promtool check metrics (exit {code}):\n{problems}");
        Assert.DoesNotContain("private_internaldiagnostics", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ObservableCounter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE smartcity_iot_messages_received_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE smartcity_iot_influx_write_duration_seconds histogram", text.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);

        // The README's table lists exactly what is exported (histograms and counters by their family name).
        var readme = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "README.md"));
        var section = readme[readme.IndexOf("## Metrics", StringComparison.Ordinal)..];
        section = section[..(section.IndexOf("\n## ", 5, StringComparison.Ordinal) is var end and > 0 ? end : section.Length)];
        var documented = DocumentedName().Matches(section).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(documented.Except(families));
        Assert.Empty(families.Except(documented));
    }

    [Fact]
    public async Task Readyz_answers_503_with_the_reason_while_influxdb_refuses_writes_and_healthz_stays_200()
    {
        using var influx = new InfluxHttp(TestEnvironment.InfluxUrl);
        await using var gateway = await GatewayInstance.StartAsync(s =>
        {
            s["Influx:Url"] = TestEnvironment.InfluxUrl;
            s["Influx:Api"] = "v1";
            s["Influx:Database"] = InfluxHttp.NewDatabaseName("missing"); // never created: InfluxDB answers 404
            s["Influx:CreateDatabase"] = "false";
        });
        using var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        var ready = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        await using (var publisher = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort))
        {
            await publisher.PublishAsync("buildings/hq/floors/7/env/ies-ready/telemetry", Encoding.UTF8.GetBytes("{\"air\":{\"co2\":600}}"));
        }

        var body = await Eventually.WaitAsync(async () =>
        {
            using var r = await http.GetAsync("/readyz");
            return (r.StatusCode, Text: await r.Content.ReadAsStringAsync());
        }, r => r.StatusCode == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30), "/readyz to answer 503");
        Assert.Contains("InfluxDB refuses writes", body.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
    }

    private static string? FamilyOf(string line)
    {
        if (line.StartsWith("# ", StringComparison.Ordinal))
        {
            var parts = line.Split(' ');
            return parts.Length > 2 ? parts[2] : null;
        }

        var name = line.Split('{', ' ')[0];
        return name.Length == 0 ? null : name;
    }

    private static async Task<(int Code, string Output)> PromtoolAsync(string metrics)
    {
        var promtool = File.Exists("/usr/bin/promtool") ? "/usr/bin/promtool"
            : throw new InvalidOperationException("promtool is not installed: run ./test.sh, which installs Debian's prometheus package.");
        using var process = Process.Start(new ProcessStartInfo(promtool, "check metrics")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await process.StandardInput.WriteAsync(metrics);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }

    [GeneratedRegex(@"smartcity_iot_alerts_active\{[^}]*rule=""it_metrics_co2""[^}]*\} 1")]
    private static partial Regex ActiveGauge();

    [GeneratedRegex(@"smartcity_iot_[a-z0-9_]+")]
    private static partial Regex DocumentedName();
}
