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

    /// <summary>
    /// When the sinks have taken no batch for <see cref="HoldAfter"/> and the queue for them is full (InfluxDB stalling or
    /// retrying, a full spool under the Block policy), up to this many further messages are still read and evaluated, so
    /// alerts keep going out without waiting; they are acknowledged once the sinks take them. 0: stop reading at once.
    /// </summary>
    [Range(0, 1_000_000)]
    public int MaxHeldMessages { get; set; } = 10_000;

    /// <summary>How long one batch must sit in the sinks before the pipeline holds further messages instead of waiting.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan HoldAfter { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Batches written to the sinks at once. More than one keeps the box busy while a sink answers a write (InfluxDB,
    /// VictoriaMetrics); acknowledgements are still released strictly in the order the batches were sealed.
    /// </summary>
    [Range(1, 16)]
    public int MaxWritesInFlight { get; set; } = 3;

    /// <summary>
    /// Budget for messages taken from the sources and not yet acknowledged (payload bytes plus topic characters; the open,
    /// sealed, in-flight and held batches together). Over it the pipeline takes no further message until acknowledgements
    /// bring it back under, whatever the message counts allow; so memory follows bytes, not message counts.
    /// </summary>
    [Range(typeof(long), "65536", "17179869184")]
    public long MaxUnacknowledgedBytes { get; set; } = 16L << 20;

    /// <summary>
    /// A batch is sealed once its line protocol reaches this size (or <see cref="BatchSize"/> lines, whichever comes
    /// first); a batch buffer that had to grow beyond it is given back to the runtime after the batch is written, so a
    /// burst of large readings leaves no large buffers behind.
    /// </summary>
    [Range(64 << 10, 256 << 20)]
    public int MaxBatchBytes { get; set; } = 2 << 20;

    /// <summary>Distinct devices the gateway tracks; messages from further new devices are dead-lettered (<c>DeviceLimitReached</c>).</summary>
    [Range(1, 10_000_000)]
    public int MaxDevices { get; set; } = DeviceRegistry.DefaultMaxDevices;
}
