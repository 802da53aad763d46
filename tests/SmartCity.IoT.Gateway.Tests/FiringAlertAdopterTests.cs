using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Gateway.Pipeline;
using SmartCity.IoT.Gateway.Tests.Support;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Gateway.Tests;

/// <summary>At start the gateway hands the engine what the outbox says is firing (a checkpoint older than the outbox).</summary>
public sealed class FiringAlertAdopterTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task An_alert_the_outbox_holds_as_firing_resolves_through_the_restarted_pipeline()
    {
        FiringAlert firing;
        await using (var before = new PipelineHarness(o => o.BatchSize = 1))
        {
            // pm2_5_high (config/rules/indoor-air.yaml) fires on a single reading above its threshold.
            await Send(before, "dev-1", pm25: 300);
            await before.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);
            firing = OutboxFiring.Of(Assert.Single(before.Outbox.Committed, a => a.DeviceId == "dev-1"));
        }

        // Restarted with no checkpoint that knows the alert (it fired after the last one).
        await using var h = new PipelineHarness(o => o.BatchSize = 1);
        await new FiringAlertAdopter(h.Pipeline, new FakeFiringAlerts(() => [firing]), NullLogger.Instance).AdoptAsync(CancellationToken.None);
        await Send(h, "dev-1", pm25: 9.4);
        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);

        var resolved = Assert.Single(h.Outbox.Committed);
        Assert.Equal((AlertStatus.Resolved, firing.Fingerprint, firing.Since), (resolved.Status, resolved.Fingerprint, resolved.StartsAt));
    }

    [Fact]
    public async Task An_outbox_that_cannot_be_read_is_logged_and_readings_are_still_stored()
    {
        await using var h = new PipelineHarness(o => o.BatchSize = 1);
        var logger = new ListLogger();
        var broken = new FakeFiringAlerts(() => throw new InvalidOperationException("The alert outbox /data/alerts.db cannot be read: disk I/O error"));
        await new FiringAlertAdopter(h.Pipeline, broken, logger).AdoptAsync(CancellationToken.None);

        var error = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Contains("/data/alerts.db cannot be read: disk I/O error", error.Message, StringComparison.Ordinal);
        Assert.Contains("starting without adopting", error.Message, StringComparison.Ordinal);

        await Send(h, "dev-1", pm25: 9.4);
        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.Contains(h.Sink.Lines, l => l.StartsWith("environment,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_an_outbox_there_is_nothing_to_adopt()
    {
        await using var h = new PipelineHarness(o => o.BatchSize = 1);
        var logger = new ListLogger();
        await new FiringAlertAdopter(h.Pipeline, null, logger).AdoptAsync(CancellationToken.None);
        Assert.Empty(logger.Entries);
    }

    private static Task<long> Send(PipelineHarness h, string device, double pm25)
    {
        var (topic, payload) = PipelineHarness.Environment(device, pm25);
        return new QueueSource().SendAsync(h.Pipeline, topic, payload);
    }

    private sealed class FakeFiringAlerts(Func<IReadOnlyList<FiringAlert>> answer) : IFiringAlertSource
    {
        public IReadOnlyList<FiringAlert> FiringAlerts() => answer();

        public IReadOnlyList<ReplayFloor> ReplayFloors() => [];
    }

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
