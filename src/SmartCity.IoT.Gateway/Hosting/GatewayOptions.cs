using System.ComponentModel.DataAnnotations;

namespace SmartCity.IoT.Gateway.Hosting;

/// <summary>Sections <c>Devices</c>, <c>Rules</c>, <c>Pipeline</c>, <c>DeadLetter</c> and <c>Http</c> of the gateway's configuration.</summary>
public sealed class GatewayOptions
{
    /// <summary>Folder of device profiles and the field vocabulary.</summary>
    [Required]
    public string DevicesPath { get; set; } = "devices";

    /// <summary>Folder of alert rule files; watched and reloaded on change.</summary>
    [Required]
    public string RulesPath { get; set; } = "config/rules";

    /// <summary>Where rule state (pending timers, firing alerts, windows) is checkpointed.</summary>
    [Required]
    public string RulesCheckpointPath { get; set; } = "data/rules.checkpoint";

    public TimeSpan RulesCheckpointInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Folder of JSON-lines files for messages that could not be decoded.</summary>
    [Required]
    public string DeadLetterPath { get; set; } = "data/deadletter";

    /// <summary>Larger payloads are rejected (and dead-lettered, truncated) without decoding.</summary>
    [Range(64, 16 * 1024 * 1024)]
    public int MaxPayloadBytes { get; set; } = 64 * 1024;

    /// <summary>Payload bytes kept in a dead-letter record.</summary>
    [Range(0, 1024 * 1024)]
    public int DeadLetterPayloadBytes { get; set; } = 4096;

    /// <summary>Batches waiting for InfluxDB/spool before the pipeline stops reading from the broker.</summary>
    [Range(1, 64)]
    public int MaxPendingBatches { get; set; } = 2;

    /// <summary>Flush a partial batch when no message arrived for this long and acknowledgements are waiting.</summary>
    public TimeSpan IdleFlush { get; set; } = TimeSpan.FromMilliseconds(50);
}
