namespace SmartCity.IoT.Core.Alerting;

/// <summary>Receives alert transitions from the rule engine. Called on the pipeline thread: implementations must be quick and must not throw.</summary>
public interface IAlertPublisher
{
    void Publish(Alert alert);
}
