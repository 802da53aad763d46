using System.ComponentModel.DataAnnotations;

namespace SmartCity.IoT.Gateway.Hosting;

/// <summary>Section <c>Gateway</c>: where profiles, rules and rule state live, and the limits on what a message may be.</summary>
internal sealed class GatewayOptions
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

    /// <summary>Larger payloads are rejected (and dead-lettered, truncated) without decoding.</summary>
    [Range(64, 16 * 1024 * 1024)]
    public int MaxPayloadBytes { get; set; } = 64 * 1024;

}
