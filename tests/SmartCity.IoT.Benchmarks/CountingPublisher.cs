using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Benchmarks;

internal sealed class CountingPublisher : IAlertPublisher
{
    public int Count { get; private set; }

    public void Publish(Alert alert) => Count++;
}
