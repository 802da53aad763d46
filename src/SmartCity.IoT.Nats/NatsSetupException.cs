namespace SmartCity.IoT.Nats;

/// <summary>Why <c>nats init</c> could not set the server up, in one sentence naming what to change.</summary>
public sealed class NatsSetupException(string message) : Exception(message);
