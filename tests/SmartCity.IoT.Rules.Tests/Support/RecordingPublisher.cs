using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Rules.Tests.Support;

internal sealed class RecordingPublisher : IAlertSink
{
    public List<Alert> Alerts { get; } = [];

    public void OnTransition(Alert alert) => Alerts.Add(alert);

    public IEnumerable<AlertStatus> Statuses => Alerts.Select(a => a.Status);

    public void Clear() => Alerts.Clear();
}
