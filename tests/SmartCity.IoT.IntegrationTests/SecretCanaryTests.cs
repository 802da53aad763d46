using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;
using SmartCity.IoT.Gateway.Hosting;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;
using Xunit.Abstractions;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>
/// Issue 16: the gateway runs with a canary value in every secret-bearing setting, goes through its failure paths (a webhook
/// receiver answering 500 and then gone, InfluxDB unreachable, a broker refusing the password) and answers every route of
/// its HTTP table; then its logs, every answer and every file under its data folder are searched for each canary.
/// </summary>
public sealed class SecretCanaryTests(ITestOutputHelper output)
{
    private const string Rule = """
        rules:
          - name: canary_co2_high
            match: { family: environment }
            expr: co2 > 1000
            clear: co2 < 900
            severity: warning
        """;

    [Fact]
    public async Task No_secret_appears_in_logs_answers_or_files()
    {
        using var dirs = new TempDir("smartcity-canary");
        var dataDir = Directory.CreateDirectory(dirs.Sub("data")).FullName;
        var configDir = Directory.CreateDirectory(dirs.Sub("config")).FullName;
        var rulesDir = Directory.CreateDirectory(dirs.Sub("rules")).FullName;
        await File.WriteAllTextAsync(Path.Combine(rulesDir, "canary.yaml"), Rule);

        await using var receiver = await WebhookReceiver.StartAnsweringAsync(500);
        var receiverPort = new Uri(receiver.Url).Port;
        await using var lockedBroker = await RefusingBroker.StartAsync();
        var canaries = new Canaries();
        var operatorToken = canaries.AddToken("Http:Auth:Tokens:0:Token");

        // Every secret comes from the environment (or a secret file), as the README tells operators to give them.
        var hookUrl = $"http://{canaries.Add("Webhooks:0:Url userinfo user")}:{canaries.Add("Webhooks:0:Url userinfo password")}@127.0.0.1:{receiverPort}"
                      + $"/services/T0CANARY/B0CANARY/{canaries.Add("Webhooks:0:Url Slack-style token segment")}?token={canaries.Add("Webhooks:0:Url query token")}";
        var chatUrl = $"http://127.0.0.1:{receiverPort}/api/webhooks/123456789012345678/{canaries.Add("Webhooks:1:Url Discord-style token segment")}";
        var secretFile = Path.Combine(configDir, "chat-webhook-secret");
        await File.WriteAllTextAsync(secretFile, canaries.AddWebhookSecret("Webhooks:1:SecretFile content") + "\n");
        var influxUrl = $"http://{canaries.Add("Influx:Url userinfo user")}:{canaries.Add("Influx:Url userinfo password")}@127.0.0.1:{FreePort.Next()}";
        var influxUser = canaries.Add("Influx:Username");
        var influxPassword = canaries.Add("Influx:Password");
        canaries.AddDerived("Influx basic-auth pair", $"{influxUser}:{influxPassword}");
        var environment = new Dictionary<string, string>
        {
            ["SMARTCITY__Webhooks__0__Url"] = hookUrl,
            ["SMARTCITY__Webhooks__0__Secret"] = canaries.AddWebhookSecret("Webhooks:0:Secret"),
            ["SMARTCITY__Webhooks__0__Headers__Authorization"] = "Bearer " + canaries.Add("Webhooks:0:Headers:Authorization"),
            ["SMARTCITY__Webhooks__1__Url"] = chatUrl,
            ["SMARTCITY__Webhooks__1__SecretFile"] = secretFile,
            ["SMARTCITY__Influx__Url"] = influxUrl,
            ["SMARTCITY__Influx__Username"] = influxUser,
            ["SMARTCITY__Influx__Password"] = influxPassword,
            ["SMARTCITY__Influx__Token"] = canaries.Add("Influx:Token"),
            ["SMARTCITY__Mqtt__Sources__0__Password"] = canaries.Add("Mqtt:Sources:0:Password"),
            ["SMARTCITY__Mqtt__Sources__1__Password"] = canaries.Add("Mqtt:Sources:1:Password (refused)"),
        };

        var settings = GatewayInstance.DefaultSettings(dataDir, TestEnvironment.MosquittoPort);
        settings.Remove("Mqtt:Host");
        settings.Remove("Mqtt:Port");
        settings.Remove("Mqtt:ClientId");
        settings["Mqtt:Sources:0:Name"] = "site";
        settings["Mqtt:Sources:0:Host"] = "127.0.0.1";
        settings["Mqtt:Sources:0:Port"] = TestEnvironment.MosquittoPort.ToString(CultureInfo.InvariantCulture);
        settings["Mqtt:Sources:0:ClientId"] = "canary-site-" + Guid.NewGuid().ToString("N")[..8];
        settings["Mqtt:Sources:0:Username"] = "gateway";
        settings["Mqtt:Sources:1:Name"] = "locked";
        settings["Mqtt:Sources:1:Host"] = "127.0.0.1";
        settings["Mqtt:Sources:1:Port"] = lockedBroker.Port.ToString(CultureInfo.InvariantCulture);
        settings["Mqtt:Sources:1:ClientId"] = "canary-locked-" + Guid.NewGuid().ToString("N")[..8];
        settings["Mqtt:Sources:1:Username"] = "gateway";
        settings["Mqtt:Sources:1:ReconnectMaxDelay"] = "00:00:02";
        settings["Influx:Api"] = "v1";
        settings["Influx:Database"] = "canary";
        settings["Influx:Timeout"] = "00:00:02";
        settings["Influx:RetryBudget"] = "00:00:00.500";
        settings["Influx:ReplayMaxDelay"] = "00:00:01";
        settings["Gateway:RulesPath"] = rulesDir;
        settings["Webhooks:0:Name"] = "oncall";
        settings["Webhooks:0:MinSeverity"] = "Info";
        settings["Webhooks:1:Name"] = "chat";
        settings["Webhooks:1:Format"] = "Text";
        settings["Webhooks:1:Template"] = "{{rule}} on {{device}} is {{status}}";
        settings["Alerts:GroupWait"] = "00:00:00";
        settings["Alerts:GroupInterval"] = "00:00:01";
        settings["Alerts:PollInterval"] = "00:00:00.100";
        settings["Alerts:RetrySchedule:0"] = "00:00:00.200";
        settings["Alerts:RetrySchedule:1"] = "00:00:00.200";
        settings["Alerts:RetryJitter"] = "0";
        settings["Alerts:BreakerMinimumThroughput"] = "1000";
        settings["Logging:LogLevel:Default"] = "Debug"; // the most the gateway ever writes
        settings["Logging:LogLevel:Microsoft.AspNetCore"] = "Information";
        settings["Logging:LogLevel:System.Net.Http.HttpClient"] = "Debug";
        var baseUrl = $"http://127.0.0.1:{FreePort.Next()}";
        settings["Http:Urls"] = baseUrl;
        settings["Http:Auth:Tokens:0:Name"] = "canary-operator";
        settings["Http:Auth:Tokens:0:Role"] = "operator";
        // From a secret file, which the route-table build below reads as well.
        var tokenFile = Path.Combine(dirs.Path, "operator.token");
        await File.WriteAllTextAsync(tokenFile, operatorToken + "\n");
        settings["Http:Auth:Tokens:0:TokenFile"] = tokenFile;
        var configFile = GatewayProcess.WriteConfig(configDir, settings);

        using var gateway = new GatewayProcess(configFile, environment);
        using var http = new RecordingGatewayHttp(baseUrl, operatorToken);
        gateway.Start();
        try
        {
            await GatewayProcess.WaitAliveAsync(baseUrl);
            await Eventually.WaitAsync(() => SourceAsync(http, "site"), s => s.GetProperty("connected").GetBoolean() && s.GetProperty("filters").GetArrayLength() > 0,
                TimeSpan.FromSeconds(30), "source 'site' to connect and subscribe");

            // Failure path 1: the receiver answers 500 until the notifications are dead letters.
            var device = "ies-canary-" + Guid.NewGuid().ToString("N")[..6];
            await using (var publisher = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort))
            {
                await publisher.PublishAsync(Co2Reading.Topic(device), Co2Reading.Payload(1650));
                for (var i = 0; i < 20; i++)
                {
                    await publisher.PublishAsync(Co2Reading.Topic(device + "-" + i), Co2Reading.Payload(600 + i));
                }
            }

            await Eventually.WaitAsync(() => DeadLettersAsync(http), d => d.Count(x => x.Reason.Contains("HTTP 500", StringComparison.Ordinal)) >= 2,
                TimeSpan.FromSeconds(60), "a dead letter per endpoint after HTTP 500 answers");
            var paths = receiver.Received.Select(r => r.Headers[":path"]).ToList();
            // The full URL is still what delivery uses.
            Assert.Contains(paths, p => p.StartsWith("/services/T0CANARY/B0CANARY/", StringComparison.Ordinal) && p.Contains("?token=", StringComparison.Ordinal));
            Assert.Contains(paths, p => p.StartsWith("/api/webhooks/123456789012345678/", StringComparison.Ordinal));
            Assert.All(receiver.Received, r => Assert.StartsWith("v1,", r.Headers["webhook-signature"], StringComparison.Ordinal));
            Assert.Contains(receiver.Received, r => r.Headers.TryGetValue("authorization", out var a) && a.StartsWith("Bearer ", StringComparison.Ordinal));

            // Failure path 2: the receiver is gone; the retried dead letters and the resolve meet a refused connection.
            await receiver.StopAsync();
            foreach (var (id, _) in await DeadLettersAsync(http))
            {
                var (status, body) = await http.SendAsync(HttpMethod.Post, $"/api/dead-letters/{id}/retry");
                Assert.True(status == 202, $"retry of dead letter {id} answered {status}: {body}");
            }

            await using (var publisher = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort))
            {
                await publisher.PublishAsync(Co2Reading.Topic(device), Co2Reading.Payload(850));
            }

            await Eventually.WaitAsync(() => DeadLettersAsync(http), d => d.Count(x => !x.Reason.Contains("HTTP 500", StringComparison.Ordinal)) >= 2,
                TimeSpan.FromSeconds(60), "dead letters after the receiver stopped answering");

            // Failure paths 3 and 4: InfluxDB unreachable (readings wait in the spool), the second broker refuses the password.
            var store = await Eventually.WaitAsync(async () => (await http.GetJsonAsync("/api/status")).GetProperty("store"),
                s => s.GetProperty("spooled").GetInt64() > 0 && s.GetProperty("lastError").ValueKind == JsonValueKind.String, TimeSpan.FromSeconds(60), "readings in the spool and an InfluxDB error");
            output.WriteLine($"store: {store}");
            var locked = await Eventually.WaitAsync(() => SourceAsync(http, "locked"), s => s.GetProperty("lastError").ValueKind == JsonValueKind.String,
                TimeSpan.FromSeconds(30), "the refusing broker's error on source 'locked'");
            output.WriteLine($"locked source: {locked}");
            Assert.True(lockedBroker.Refused > 0, "the refusing broker saw a CONNECT");
            Assert.Contains("127.0.0.1", store.GetProperty("target").GetString(), StringComparison.Ordinal);

            // What the page and the API show is still useful: where it goes, without the credential.
            var hooks = await http.GetJsonAsync("/api/webhooks");
            var oncall = hooks.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "oncall");
            Assert.Equal($"http://***@127.0.0.1:{receiverPort}/services/T0CANARY/B0CANARY/***?token=***", oncall.GetProperty("url").GetString());

            await ExerciseEveryRouteAsync(http, configFile, device);
        }
        finally
        {
            gateway.Stop();
            output.WriteLine(gateway.Output.Length > 20_000 ? gateway.Output[^20_000..] : gateway.Output);
        }

        Assert.True(Directory.EnumerateFiles(Path.Combine(dataDir, "spool"), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) > 0, "the spool holds the readings");
        Assert.True(File.Exists(Path.Combine(dataDir, "alerts.db")), "the outbox exists");
        Assert.Contains("InfluxDB", gateway.Output, StringComparison.Ordinal); // the InfluxDB errors were logged

        var places = new List<(string Where, byte[] Content)> { ("gateway stdout/stderr", Encoding.UTF8.GetBytes(gateway.Output)) };
        places.AddRange(http.Answers.Select(a => ($"HTTP answer to {a.Request} ({a.Status})", Encoding.UTF8.GetBytes(a.Text))));
        places.AddRange(Directory.EnumerateFiles(dataDir, "*", SearchOption.AllDirectories).Select(f => ($"file {Path.GetRelativePath(dataDir, f)}", File.ReadAllBytes(f))));
        var leaks = canaries.FindIn(places);
        output.WriteLine($"searched {places.Count} places for {canaries.Count} canaries");
        Assert.True(leaks.Count == 0, "secrets leaked:\n" + string.Join('\n', leaks));
    }

    /// <summary>Every route of the gateway's table (read from the host itself, so a new route is covered too), GETs first.</summary>
    private async Task ExerciseEveryRouteAsync(RecordingGatewayHttp http, string configFile, string device)
    {
        var alerts = await http.GetJsonAsync("/api/alerts");
        var fingerprint = alerts.EnumerateArray().Select(a => a.GetProperty("fingerprint").GetString()!).First();
        using (var silence = JsonContent.Create(new { matchers = new[] { $"device=\"{device}\"" }, duration = "00:10:00", createdBy = "canary", comment = "canary" }))
        {
            var (status, body) = await http.SendAsync(HttpMethod.Post, "/api/silences", silence);
            Assert.True(status == 201, $"POST /api/silences answered {status}: {body}");
        }

        var silenceId = (await http.GetJsonAsync("/api/silences")).EnumerateArray().First().GetProperty("id").GetString()!;
        var deadLetterId = (await DeadLettersAsync(http)).First().Id.ToString(CultureInfo.InvariantCulture);

        var routes = RouteTable(configFile);
        Assert.Contains(routes, r => r.Pattern == "/api/webhooks");
        foreach (var (method, pattern) in routes.OrderBy(r => r.Method == "GET" ? 0 : r.Method == "POST" ? 1 : 2))
        {
            var path = System.Text.RegularExpressions.Regex.Replace(pattern, @"\{(\w+)(:[^}]*)?\}", m => m.Groups[1].Value switch
            {
                "fingerprint" => Uri.EscapeDataString(fingerprint),
                "name" => "oncall",
                "source" => "no-such-source",
                "id" when pattern.Contains("silences", StringComparison.Ordinal) => silenceId,
                "id" when pattern.Contains("dead-letters", StringComparison.Ordinal) => deadLetterId,
                "id" when pattern.StartsWith("/place/", StringComparison.Ordinal) => "hq", // places and floors of the shipped model
                "id" when pattern.StartsWith("/floor/", StringComparison.Ordinal) => "hq-1",
                var p => throw new InvalidOperationException($"route {method} {pattern} has a parameter {{{p}}} this test does not know: give it a value above"),
            });
            if (pattern == "/device")
            {
                path += "?id=" + Uri.EscapeDataString(device);
            }

            using var content = method switch
            {
                "GET" or "DELETE" => null,
                _ when pattern.StartsWith("/api/silences", StringComparison.Ordinal) => JsonContent.Create(new { matchers = new[] { "device=\"none\"" }, duration = "00:01:00" }),
                _ when pattern.StartsWith("/api/", StringComparison.Ordinal) => JsonContent.Create(new { by = "canary", comment = "canary" }),
                _ => (HttpContent)new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["back"] = "/", ["by"] = "canary", ["comment"] = "canary", ["matchers"] = $"device=\"{device}\"", ["duration"] = "10m",
                }),
            };
            var (status, body) = await http.SendAsync(new HttpMethod(method), path, content);
            output.WriteLine($"{method} {path} -> {status}");
            // /readyz says 503 on purpose here: a source is refused and InfluxDB is away.
            Assert.True(status < 500 || (pattern == "/readyz" && status == 503), $"{method} {path} answered {status}: {body}");
        }
    }

    /// <summary>The gateway's routes, from the same configuration, without starting it.</summary>
    private static List<(string Method, string Pattern)> RouteTable(string configFile)
    {
        var app = GatewayHost.Build(configFile);
        try
        {
            return ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
                .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (m, "/" + e.RoutePattern.RawText!.TrimStart('/'))))
                .Distinct().ToList();
        }
        finally
        {
            ((IDisposable)app).Dispose();
        }
    }

    private static async Task<JsonElement> SourceAsync(RecordingGatewayHttp http, string name) =>
        (await http.GetJsonAsync("/api/status")).GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);

    private static async Task<List<(long Id, string Reason)>> DeadLettersAsync(RecordingGatewayHttp http) =>
        (await http.GetJsonAsync("/api/dead-letters")).EnumerateArray().Select(d => (d.GetProperty("id").GetInt64(), d.GetProperty("reason").GetString() ?? "")).ToList();

    /// <summary>Random values, each named after the setting it was put in, searched for in every form they could be written in.</summary>
    private sealed class Canaries
    {
        private readonly List<(string Setting, string Value)> _values = [];

        public int Count => _values.Count;

        /// <summary>A new canary: letters and digits, long enough to look like a token (so URL redaction treats it as one).</summary>
        public string Add(string setting)
        {
            var value = "c4n" + RandomNumberGenerator.GetHexString(21, lowercase: true);
            _values.Add((setting, value));
            return value;
        }

        /// <summary>A valid Standard Webhooks secret; the whole value and its key part are both canaries.</summary>
        /// <summary>A canary long enough for an HTTP API token (at least 32 characters).</summary>
        public string AddToken(string setting)
        {
            var value = "c4n" + RandomNumberGenerator.GetHexString(37, lowercase: true);
            _values.Add((setting, value));
            return value;
        }

        /// <summary>A valid Standard Webhooks secret; the whole value and its key part are both canaries.</summary>
        public string AddWebhookSecret(string setting)
        {
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            _values.Add((setting, "whsec_" + key));
            _values.Add((setting + " (key part)", key));
            return "whsec_" + key;
        }

        public void AddDerived(string setting, string value) => _values.Add((setting, value));

        public List<string> FindIn(IEnumerable<(string Where, byte[] Content)> places)
        {
            var forms = _values.SelectMany(v => Forms(v.Value).DistinctBy(f => f.Text).Select(f => (v.Setting, Form: f.Name, Bytes: Encoding.UTF8.GetBytes(f.Text)))).ToList();
            var found = new List<string>();
            foreach (var (where, content) in places)
            {
                foreach (var (setting, form, bytes) in forms)
                {
                    if (content.AsSpan().IndexOf(bytes) >= 0)
                    {
                        found.Add($"{setting} ({form}) in {where}");
                    }
                }
            }

            return found.Distinct().ToList();
        }

        private static IEnumerable<(string Name, string Text)> Forms(string value)
        {
            yield return ("plain", value);
            yield return ("URL-encoded", Uri.EscapeDataString(value));
            yield return ("base64", Convert.ToBase64String(Encoding.UTF8.GetBytes(value)));
            yield return ("JSON-escaped", JsonSerializer.Serialize(value)[1..^1]);
            yield return ("HTML-encoded", WebUtility.HtmlEncode(value));
        }
    }

    /// <summary>An MQTT broker (MQTTnet, loopback) that refuses every CONNECT as a bad user name or password.</summary>
    private sealed class RefusingBroker : IAsyncDisposable
    {
        private readonly MqttServer _server;
        private int _refused;

        private RefusingBroker(MqttServer server, int port)
        {
            _server = server;
            Port = port;
        }

        public int Port { get; }

        public int Refused => Volatile.Read(ref _refused);

        public static async Task<RefusingBroker> StartAsync()
        {
            var port = FreePort.Next();
            var server = new MqttServerFactory().CreateMqttServer(new MqttServerOptionsBuilder()
                .WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(IPAddress.Loopback).WithDefaultEndpointPort(port).Build());
            var broker = new RefusingBroker(server, port);
            server.ValidatingConnectionAsync += e =>
            {
                Interlocked.Increment(ref broker._refused);
                e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
                return Task.CompletedTask;
            };
            await server.StartAsync();
            return broker;
        }

        public async ValueTask DisposeAsync()
        {
            await _server.StopAsync();
            _server.Dispose();
        }
    }
}
