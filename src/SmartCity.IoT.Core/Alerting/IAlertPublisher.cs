namespace SmartCity.IoT.Core.Alerting;

/// <summary>Receives alert transitions from the rule engine. Called on the pipeline thread: implementations must be quick and must not throw.</summary>
public interface IAlertPublisher
{
    void Publish(Alert alert);

    /// <summary>Publishes several transitions, in order; a durable implementation commits them together (one fsync, not one each).</summary>
    void PublishMany(IReadOnlyList<Alert> alerts)
    {
        foreach (var alert in alerts)
        {
            Publish(alert);
        }
    }
}
