namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>One message the gateway could not (fully) use, as kept in the dead-letter file and shown on the status page.</summary>
internal sealed record DeadLetterRecord(
    DateTimeOffset Time,
    string Topic,
    string Reason,
    string Detail,
    int PayloadBytes,
    string Payload,
    string PayloadEncoding,
    bool Truncated);
