namespace SmartCity.IoT.Core.Alerting;

/// <summary>
/// The durable hand-over of alert transitions to delivery: the pipeline commits one batch's transitions together, after
/// the batch is durable and before its messages are acknowledged. Must not throw: a failure is logged and counted.
/// </summary>
public interface IAlertOutbox
{
    void Commit(IReadOnlyList<Alert> alerts);
}
