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

    /// <summary>
    /// Windows this long or longer are bucketed (<see cref="WindowBuckets"/> buckets of sum, count, min, max, first and
    /// last per window and device) instead of exact (every sample). A bucketed window's memory per device is fixed
    /// whatever the reporting rate; its edge is resolved to one bucket width (window ÷ buckets): it holds every sample of
    /// the last d and may hold samples up to one bucket width older. 00:00:00 buckets every window; a duration above the
    /// longest window keeps them all exact. Default 1 hour.
    /// </summary>
    public TimeSpan BucketWindowsFrom { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Buckets per bucketed window (see <see cref="BucketWindowsFrom"/>); the bucket width is the window's length divided by this.</summary>
    [Range(4, 1024)]
    public int WindowBuckets { get; set; } = 24;

    /// <summary>The bucket width of a window of <paramref name="durationNs"/>, or 0 when it is exact.</summary>
    internal long BucketWidthNs(long durationNs) =>
        durationNs > 0 && durationNs >= BucketWindowsFrom.Ticks * TimeSpan.NanosecondsPerTick ? Math.Max(1, durationNs / WindowBuckets) : 0;

    /// <summary>The checks that span several values (the ranges above are checked by their attributes).</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (InitialWindowCapacity > MaxWindowSamples)
        {
            yield return new ValidationResult(
                $"Rules:InitialWindowCapacity ({InitialWindowCapacity}) must not be above Rules:MaxWindowSamples ({MaxWindowSamples}).",
                [nameof(InitialWindowCapacity), nameof(MaxWindowSamples)]);
        }

        if (BucketWindowsFrom < TimeSpan.Zero)
        {
            yield return new ValidationResult(
                $"Rules:BucketWindowsFrom ({BucketWindowsFrom}) must not be negative (00:00:00 buckets every window).",
                [nameof(BucketWindowsFrom)]);
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
