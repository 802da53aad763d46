namespace SmartCity.IoT.Gateway.Simulation;

/// <summary>Where and how fast simulated readings are published.</summary>
internal sealed record PublishSettings(
    string Host,
    int Port,
    int QualityOfService,
    double RatePerSecond,
    long Count,
    TimeSpan? Duration,
    string ClientId,
    int MaxInFlight = 1000)
{
    /// <summary>How long to keep trying to connect: the demo waits for its embedded broker; the command line fails fast.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
