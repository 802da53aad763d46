using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Alerts.Stream;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Gateway.Hosting;
using SmartCity.IoT.Gateway.Nats;
using SmartCity.IoT.Gateway.Pipeline;

namespace SmartCity.IoT.Gateway.Tests.Nats;

/// <summary>With <c>Nats:Url</c> set, rule state and alerts take their replicated doors (host built, not started).</summary>
public sealed class NatsModeHostTests
{
    [Fact]
    public async Task Nats_mode_uses_the_state_bucket_and_the_alert_stream_instead_of_local_files()
    {
        await using var app = GatewayHost.Build(null, Settings(("Nats:Url", "nats://127.0.0.1:4222"), ("Nats:StateReplicas", "3"), ("Nats:AlertsReplicas", "3")));
        Assert.Contains(app.Services.GetServices<IPartitionOwnershipObserver>(), o => o is PartitionRuleState);
        Assert.IsType<StreamAlertOutbox>(app.Services.GetRequiredService<IAlertOutbox>());
        Assert.False(app.Services.GetRequiredService<RuleCheckpointFile>().Enabled);
        Assert.Empty(app.Services.GetServices<IFiringAlertSource>());
        Assert.Equal(3, app.Services.GetRequiredService<IOptions<NatsStateOptions>>().Value.StateReplicas);
    }

    [Fact]
    public async Task Without_nats_the_local_checkpoint_and_outbox_stay()
    {
        await using var app = GatewayHost.Build(null, Settings());
        Assert.Empty(app.Services.GetServices<IPartitionOwnershipObserver>());
        Assert.Equal("OutboxAlertPublisher", app.Services.GetRequiredService<IAlertOutbox>().GetType().Name);
        Assert.True(app.Services.GetRequiredService<RuleCheckpointFile>().Enabled);
    }

    [Theory]
    [InlineData("Nats:StateReplicas", "0", "Nats:StateReplicas is 0")]
    [InlineData("Nats:StateBucket", "rule.state", "Nats:StateBucket 'rule.state'")]
    [InlineData("Nats:StateReplayTimeout", "00:00:00", "Nats:StateReplayTimeout")]
    public async Task A_bad_state_key_stops_the_start_with_its_name(string key, string value, string expected)
    {
        await using var app = GatewayHost.Build(null, Settings(("Nats:Url", "nats://127.0.0.1:4222"), (key, value)));
        var error = Assert.Throws<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<NatsStateOptions>>().Value);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Nats:AlertsReplicas", "7", "Nats:AlertsReplicas is 7")]
    [InlineData("Nats:AlertsStream", "my alerts", "Nats:AlertsStream 'my alerts'")]
    [InlineData("Nats:AlertsDuplicateWindow", "00:00:10", "Nats:AlertsDuplicateWindow")]
    public async Task A_bad_alert_stream_key_stops_the_start_with_its_name(string key, string value, string expected)
    {
        await using var app = GatewayHost.Build(null, Settings(("Nats:Url", "nats://127.0.0.1:4222"), (key, value)));
        var error = Assert.Throws<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<AlertStreamOptions>>().Value);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    // NATS mode needs InfluxDB (no local spool): any address, nothing is written here.
    private static Dictionary<string, string?> Settings(params (string Key, string Value)[] extra) => HostConfigurationTests.Settings([("Influx:Url", "http://127.0.0.1:8086"), .. extra]);
}
