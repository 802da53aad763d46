using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using SmartCity.IoT.Alerts.Options;
using SmartCity.IoT.Core.Telemetry;

namespace SmartCity.IoT.Alerts.Tests;

public sealed class MetricsTests
{
    [Fact]
    public async Task Deliveries_are_counted_by_endpoint_and_outcome_and_depth_is_observable()
    {
        var endpoint = "metrics-" + Guid.NewGuid().ToString("N")[..8];
        var counts = new ConcurrentDictionary<string, long>();
        long depth = -1, dead = -1;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GatewayMeter.Name && instrument.Name.StartsWith("alerts.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "alerts.webhook.deliveries")
            {
                string? ep = null, outcome = null;
                foreach (var t in tags)
                {
                    if (t.Key == "endpoint") { ep = t.Value as string; }
                    if (t.Key == "outcome") { outcome = t.Value as string; }
                }

                if (ep == endpoint)
                {
                    counts.AddOrUpdate(outcome!, value, (_, v) => v + value);
                }
            }
            else if (instrument.Name == "alerts.outbox.depth")
            {
                depth = value;
            }
            else if (instrument.Name == "alerts.dead_letters")
            {
                dead = value;
            }
        });
        listener.Start();

        await using var receiver = await Receiver.StartAsync(500, 200, 400);
        await using var h = new Harness([new WebhookEndpointOptions { Name = endpoint, Url = receiver.Url }]);
        h.Publish(TestAlerts.Firing(device: "a"));
        await h.Dispatcher.DeliverDueAsync();                      // 500: retry
        await Task.Delay(150);
        await h.Dispatcher.DeliverDueAsync();                      // 200: delivered
        h.Publish(TestAlerts.Firing(device: "b"));
        await h.Dispatcher.DeliverDueAsync();                      // 400: dead letter
        listener.RecordObservableInstruments();

        Assert.Equal(1, counts.GetValueOrDefault("retry"));
        Assert.Equal(1, counts.GetValueOrDefault("delivered"));
        Assert.Equal(1, counts.GetValueOrDefault("dead_letter"));
        Assert.True(dead >= 1, $"dead letters gauge {dead}");
        Assert.True(depth >= 0, $"depth gauge {depth}");
    }
}
