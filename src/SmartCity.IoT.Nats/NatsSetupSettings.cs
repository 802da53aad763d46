namespace SmartCity.IoT.Nats;

/// <summary>What <c>nats init</c> creates: replicas of the stream and buckets, and how long acknowledged readings stay.</summary>
public sealed record NatsSetupSettings(int Replicas, TimeSpan MaxAge, TimeSpan ConnectTimeout);
