using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Benchmarks;

internal sealed class CountingPublisher : IAlertSink
{
    public int Count { get; private set; }

    public void OnTransition(Alert alert) => Count++;
}
