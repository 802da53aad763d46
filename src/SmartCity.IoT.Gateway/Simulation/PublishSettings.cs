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
    int MaxInFlight = 1000);
