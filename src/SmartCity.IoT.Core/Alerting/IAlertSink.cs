namespace SmartCity.IoT.Core.Alerting;

/// <summary>
/// Receives the rule engine's alert transitions as they happen, in memory, on the pipeline's thread (under its gate).
/// Implementations must be quick and must not throw; nothing is durable yet at this point.
/// </summary>
public interface IAlertSink
{
    void OnTransition(Alert alert);
}
