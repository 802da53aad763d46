using System.Text;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>Issue 4 at the gateway level: rule state survives a restart (no lost and no repeated firing) and rule files reload live.</summary>
public sealed class RuleStateRestartTests
{
    private const string Rule = """
        rules:
          - name: it_co2_restart
            match: { family: environment }
            expr: co2 > 1000
            clear: co2 < 900
            severity: major
        """;

    [Fact]
    public async Task A_firing_alert_survives_a_restart_without_firing_again_and_then_resolves()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var dataDir = Directory.CreateTempSubdirectory("smartcity-rulestate-").FullName;
        var rulesDir = Directory.CreateDirectory(Path.Combine(dataDir, "rules")).FullName;
        await File.WriteAllTextAsync(Path.Combine(rulesDir, "it.yaml"), Rule);
        var clientId = "it-rulestate-" + Guid.NewGuid().ToString("N")[..6];
        void Configure(Dictionary<string, string?> s)
        {
            s["Mqtt:ClientId"] = clientId;
            s["Gateway:RulesPath"] = rulesDir;
            receiver.AddEndpointTo(s);
            s["Alerts:GroupInterval"] = "00:00:01";
        }

        var device = "ies-rs-" + Guid.NewGuid().ToString("N")[..6];
        var topic = $"buildings/hq/floors/4/env/{device}/telemetry";
        await using (var first = await GatewayInstance.StartAsync(Configure, dataDir: dataDir))
        {
            await PublishAsync(topic, 1650);
            await Eventually.WaitAsync(() => Task.FromResult(Count(receiver, "firing")), n => n >= 1, TimeSpan.FromSeconds(30), "the firing webhook");
        }

        await using (var second = await GatewayInstance.StartAsync(Configure, dataDir: dataDir))
        {
            var status = await second.StatusAsync();
            Assert.Contains(status.ActiveAlerts, a => a.Rule == "it_co2_restart" && a.Device == device && a.State.StartsWith("firing", StringComparison.Ordinal));

            await PublishAsync(topic, 1700); // still high: the restored alert stays firing, nothing new is sent
            await PublishAsync(topic, 850);  // below the clear threshold: resolved
            await Eventually.WaitAsync(() => Task.FromResult(Count(receiver, "resolved")), n => n >= 1, TimeSpan.FromSeconds(30), "the resolved webhook");
        }

        Assert.Equal(1, Count(receiver, "firing"));
        Assert.Equal(1, Count(receiver, "resolved"));
    }

    [Fact]
    public async Task Editing_a_rule_file_reloads_the_rules_and_a_broken_edit_keeps_the_old_ones()
    {
        var rulesDir = Directory.CreateTempSubdirectory("smartcity-reload-").FullName;
        var file = Path.Combine(rulesDir, "it.yaml");
        await File.WriteAllTextAsync(file, Rule);
        await using var gateway = await GatewayInstance.StartAsync(s => s["Gateway:RulesPath"] = rulesDir);
        Assert.Equal(1, (await gateway.StatusAsync()).RuleCount);

        await File.WriteAllTextAsync(file, Rule + "\n" + """
              - name: it_tvoc
                match: { family: environment }
                expr: tvoc > 1000
                severity: warning
            """);
        await Eventually.WaitAsync(async () => (await gateway.StatusAsync()).RuleCount, n => n == 2, TimeSpan.FromSeconds(20), "the reloaded rule set");

        await File.WriteAllTextAsync(file, "rules:\n  - name: broken\n    expr: co2 >>> 3\n");
        await Task.Delay(TimeSpan.FromSeconds(2)); // past the watcher's debounce
        Assert.Equal(2, (await gateway.StatusAsync()).RuleCount);
    }

    private static int Count(WebhookReceiver receiver, string status) =>
        receiver.Received.Count(r => r.Json.GetProperty("status").GetString() == status);

    private static async Task PublishAsync(string topic, int co2)
    {
        await using var publisher = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort);
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await publisher.PublishAsync(topic, Encoding.UTF8.GetBytes("{\"ts\":" + ts + ",\"air\":{\"co2\":" + co2 + "}}"));
    }
}
