namespace SmartCity.IoT.Core.Alerting;

/// <summary>
/// An alert that receivers have been (or are about to be) told is firing and not yet told is resolved, as the durable
/// alert outbox knows it: what the rule engine needs to take the episode over after a restart.
/// </summary>
public sealed record FiringAlert
{
    /// <summary>The alert's identity (rule + profile + device), as on <see cref="Alert.Fingerprint"/>.</summary>
    public required string Fingerprint { get; init; }

    public required string RuleName { get; init; }

    public required string ProfileId { get; init; }

    public required string DeviceId { get; init; }

    /// <summary>The severity of the latest transition (an escalation or de-escalation changes it).</summary>
    public required AlertSeverity Severity { get; init; }

    /// <summary>When the episode began: the <see cref="Alert.StartsAt"/> receivers were given.</summary>
    public required DateTimeOffset Since { get; init; }

    /// <summary>The value of the latest transition; NaN if none.</summary>
    public double Value { get; init; } = double.NaN;

    /// <summary>The identity labels the episode was announced with (kept for its whole life).</summary>
    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    /// <summary>The episode was announced as flapping (held firing).</summary>
    public bool Flapping { get; init; }
}
