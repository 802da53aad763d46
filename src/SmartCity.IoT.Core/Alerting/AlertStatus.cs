namespace SmartCity.IoT.Core.Alerting;

/// <summary>What happened to an alert in this transition.</summary>
public enum AlertStatus
{
    /// <summary>The condition held for its <c>for</c> time: the alert starts.</summary>
    Firing,
    /// <summary>Still firing, at a higher severity.</summary>
    Escalated,
    /// <summary>Still firing, at a lower severity.</summary>
    Deescalated,
    /// <summary>The clear condition held: the alert ends.</summary>
    Resolved,
}
