namespace SmartCity.IoT.Core.Alerting;

/// <summary>
/// The durable hand-over of alert transitions to delivery: the pipeline commits each sealed batch's transitions
/// together, beside the sinks' writes, and acknowledges the batch's messages only after the commit.
/// </summary>
public interface IAlertOutbox
{
    /// <summary>Stores <paramref name="alerts"/> durably, in order, all or none; throws when they could not be stored (the pipeline retries).</summary>
    void Commit(IReadOnlyList<Alert> alerts);

    /// <summary>
    /// As <see cref="Commit"/>, for an outbox whose commit waits on the network (a replicated stream's acknowledgement).
    /// The pipeline calls this one; the default runs <see cref="Commit"/>.
    /// </summary>
    ValueTask CommitAsync(IReadOnlyList<Alert> alerts, CancellationToken cancellationToken)
    {
        Commit(alerts);
        return ValueTask.CompletedTask;
    }
}
