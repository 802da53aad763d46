namespace SmartCity.IoT.Core.Alerting;

/// <summary>
/// The alerts the durable outbox holds as firing, for reconciling the rule engine's restored state at start: after a crash
/// the engine's checkpoint may be older than the outbox, which is the truth about what receivers were told.
/// </summary>
public interface IFiringAlertSource
{
    /// <summary>
    /// Every firing alert, committed transitions not yet routed included, one per fingerprint. Read-only. Throws
    /// <see cref="InvalidOperationException"/> naming the file when the outbox cannot be read: an empty answer would
    /// wrongly say nothing is firing.
    /// </summary>
    IReadOnlyList<FiringAlert> FiringAlerts();

    /// <summary>
    /// Per device, the newest <see cref="Alert.EvaluatedUpToNs"/> of the transitions it holds (firing or resolved): after a
    /// crash, redelivered readings up to it already made their transitions. Throws as <see cref="FiringAlerts"/> does.
    /// </summary>
    IReadOnlyList<ReplayFloor> ReplayFloors();
}
