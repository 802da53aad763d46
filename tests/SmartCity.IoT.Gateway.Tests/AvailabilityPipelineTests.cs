using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Gateway.Pipeline;
using SmartCity.IoT.Gateway.Tests.Support;
using SmartCity.IoT.Testing;
using W = SparkplugPayloadWriter;

namespace SmartCity.IoT.Gateway.Tests;

/// <summary>Availability through the pipeline: devices known only from it, Sparkplug BIRTH and DEATH, states beyond online/offline.</summary>
public sealed class AvailabilityPipelineTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private const ulong T = 1_763_884_800_000;

    [Fact]
    public async Task A_device_that_only_sent_an_availability_message_is_registered_with_its_state()
    {
        await using var h = new PipelineHarness();
        var source = new QueueSource();
        await source.SendAsync(h.Pipeline, "shellyplusht-b8d61a8b17cc/online", "false");
        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);

        var registry = h.Get<DeviceRegistry>();
        Assert.True(registry.TryFind(PipelineHarness.Catalog.Value.Profiles.Single(p => p.Id == "shelly/plus-ht"), "shellyplusht-b8d61a8b17cc", out var device));
        Assert.Equal(DeviceAvailability.Offline, device.Availability);
        Assert.Equal(0, device.LastSeenUnixNs); // a last will is no sign of life
        Assert.Equal(1, h.Get<PipelineStats>().AvailabilityMessages);
        Assert.Single(source.Acks);
    }

    [Fact]
    public async Task A_sparkplug_node_death_takes_its_devices_offline_and_their_births_bring_them_back()
    {
        await using var h = new PipelineHarness();
        var source = new QueueSource();
        await source.SendAsync(h.Pipeline, "spBv1.0/plant-a/NBIRTH/gw-01", W.Payload(T, 0, new SpMetric("bdSeq", DataType: W.Int64, Value: 3L), new SpMetric("Sensors/Temperature", 1, W.Float, 21.5f)));
        await source.SendAsync(h.Pipeline, "spBv1.0/plant-a/DBIRTH/gw-01/room-101", W.Payload(T, 1, new SpMetric("Sensors/CO2", 12, W.UInt16, 640)));
        await source.SendAsync(h.Pipeline, "spBv1.0/plant-a/DBIRTH/gw-01/room-102", W.Payload(T, 2, new SpMetric("Sensors/CO2", 12, W.UInt16, 700)));
        await source.SendAsync(h.Pipeline, "spBv1.0/plant-a/DDATA/gw-01/room-101", W.Payload(T + 1000, 3, new SpMetric(Alias: 12, Value: 655)));
        await source.SendAsync(h.Pipeline, "spBv1.0/plant-a/NDEATH/gw-01", W.Payload(null, null, new SpMetric("bdSeq", DataType: W.Int64, Value: 3L)));
        await source.SendAsync(h.Pipeline, "spBv1.0/plant-a/DDATA/gw-01/room-101", W.Payload(T + 2000, 4, new SpMetric(Alias: 12, Value: 660)));
        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);

        var states = h.Get<DeviceRegistry>().Snapshot().ToDictionary(d => d.DeviceId, d => d.Availability);
        Assert.Equal(DeviceAvailability.Offline, states["gw-01"]);
        Assert.Equal(DeviceAvailability.Offline, states["gw-01/room-101"]);
        Assert.Equal(DeviceAvailability.Offline, states["gw-01/room-102"]);
        Assert.Contains(h.Sink.Lines, l => l.Contains("device=gw-01/room-101", StringComparison.Ordinal) && l.Contains("co2=655", StringComparison.Ordinal));
        Assert.Equal(1, h.Get<PipelineStats>().RejectedByReason()[nameof(DecodeError.BirthMissing)]);
        Assert.Equal(6, source.Acks.Count);

        await source.SendAsync(h.Pipeline, "spBv1.0/plant-a/NBIRTH/gw-01", W.Payload(T + 3000, 0, new SpMetric("bdSeq", DataType: W.Int64, Value: 4L), new SpMetric("Sensors/Temperature", 1, W.Float, 21f)));
        await source.SendAsync(h.Pipeline, "spBv1.0/plant-a/DBIRTH/gw-01/room-101", W.Payload(T + 3000, 1, new SpMetric("Sensors/CO2", 12, W.UInt16, 650)));
        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);
        states = h.Get<DeviceRegistry>().Snapshot().ToDictionary(d => d.DeviceId, d => d.Availability);
        Assert.Equal(DeviceAvailability.Online, states["gw-01"]);
        Assert.Equal(DeviceAvailability.Online, states["gw-01/room-101"]);
        Assert.Equal(DeviceAvailability.Offline, states["gw-01/room-102"]); // not born again yet
    }
}
