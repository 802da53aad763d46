using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Rules.Engine;

/// <summary>Engine settings (config section <c>Rules</c> in the host).</summary>
public sealed class RuleEngineOptions
{
    /// <summary>Flapping policy for rules that do not set <c>flapping</c>: 6 changes in 30 minutes.</summary>
    public FlappingPolicy DefaultFlapping { get; set; } = new(6, TimeSpan.FromMinutes(30));

    /// <summary>Initial samples per window and device; windows grow by doubling.</summary>
    public int InitialWindowCapacity { get; set; } = 16;

    /// <summary>Upper bound of samples per window and device; beyond it the oldest sample is dropped (documented).</summary>
    public int MaxWindowSamples { get; set; } = 4096;
}
