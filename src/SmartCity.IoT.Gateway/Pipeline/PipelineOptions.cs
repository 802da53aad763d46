using System.ComponentModel.DataAnnotations;
using SmartCity.IoT.Core.Devices;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>Section <c>Pipeline</c>: how readings are batched before the sinks make them durable, and the bounds that keep memory in check.</summary>
internal sealed class PipelineOptions
{
    public const string SectionName = "Pipeline";

    /// <summary>Lines (or messages) per batch; InfluxDB recommends 5000.</summary>
    [Range(1, 1_000_000)]
    public int BatchSize { get; set; } = 5000;

    /// <summary>A partial batch is sealed after this long.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Seal a partial batch when no message arrived for this long and acknowledgements are waiting.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan IdleFlush { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Sealed batches waiting for the sinks before the pipeline stops reading from its sources.</summary>
    [Range(1, 64)]
    public int MaxPendingBatches { get; set; } = 2;

    /// <summary>Distinct devices the gateway tracks; messages from further new devices are dead-lettered (<c>DeviceLimitReached</c>).</summary>
    [Range(1, 10_000_000)]
    public int MaxDevices { get; set; } = DeviceRegistry.DefaultMaxDevices;
}
