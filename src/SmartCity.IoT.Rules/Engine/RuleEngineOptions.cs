using System.ComponentModel.DataAnnotations;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Rules.Engine;

/// <summary>
/// Engine settings, bound by the host from config section <see cref="SectionName"/> and checked by
/// <see cref="RuleEngineOptionsValidator"/>; the engine's constructor applies the same checks.
/// </summary>
public sealed class RuleEngineOptions : IValidatableObject
{
    /// <summary>The configuration section the host binds: <c>Rules</c>.</summary>
    public const string SectionName = "Rules";

    /// <summary>Most state changes a default flapping policy may count (each (rule, device) keeps that many times).</summary>
    internal const int MaxFlappingChanges = 1000;

    /// <summary>
    /// Flapping policy for rules that do not set <c>flapping</c>: 6 changes in 30 minutes. Keys <c>MaxChanges</c>
    /// (0 = off, up to 1000) and <c>Window</c> (a TimeSpan, for example <c>00:30:00</c>); a key left out keeps its default.
    /// </summary>
    [Required(ErrorMessage = "Rules:DefaultFlapping must not be null (MaxChanges 0 turns flapping suppression off).")]
    public FlappingPolicy DefaultFlapping { get; set; } = new(6, TimeSpan.FromMinutes(30));

    /// <summary>Initial samples per window and device (rounded up to a power of two); windows grow by doubling.</summary>
    [Range(1, 65536)]
    public int InitialWindowCapacity { get; set; } = 16;

    /// <summary>Upper bound of samples per window and device; beyond it the oldest sample is dropped (documented).</summary>
    [Range(16, 65536)]
    public int MaxWindowSamples { get; set; } = 4096;

    /// <summary>The checks that span several values (the ranges above are checked by their attributes).</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (InitialWindowCapacity > MaxWindowSamples)
        {
            yield return new ValidationResult(
                $"Rules:InitialWindowCapacity ({InitialWindowCapacity}) must not be above Rules:MaxWindowSamples ({MaxWindowSamples}).",
                [nameof(InitialWindowCapacity), nameof(MaxWindowSamples)]);
        }

        if (DefaultFlapping is { } flapping)
        {
            if (flapping.MaxChanges is < 0 or > MaxFlappingChanges)
            {
                yield return new ValidationResult(
                    $"Rules:DefaultFlapping:MaxChanges ({flapping.MaxChanges}) must be between 0 (off) and {MaxFlappingChanges}.",
                    [nameof(DefaultFlapping)]);
            }

            if (flapping.Window < TimeSpan.Zero)
            {
                yield return new ValidationResult(
                    $"Rules:DefaultFlapping:Window ({flapping.Window}) must not be negative.",
                    [nameof(DefaultFlapping)]);
            }
        }
    }

    /// <summary>For callers that construct the engine without the host's options validation.</summary>
    internal void ThrowIfInvalid(string paramName)
    {
        var result = new RuleEngineOptionsValidator().Validate(null, this);
        if (result.Failed)
        {
            throw new ArgumentException(result.FailureMessage, paramName);
        }
    }
}
