namespace SmartCity.IoT.Core.DeadLetters;

/// <summary>One record as written to the dead-letter file and kept for the status page.</summary>
/// <param name="Size">Bytes of the original payload, which may be more than was kept.</param>
/// <param name="Payload">The kept payload: UTF-8 text as text, anything else as base64 (<see cref="PayloadIsBase64"/>).</param>
public sealed record DeadLetterRecord(
    DateTimeOffset Time,
    string Kind,
    string Source,
    string Reason,
    string Detail,
    int? Status,
    long Count,
    long Size,
    bool Truncated,
    string Payload,
    bool PayloadIsBase64);
