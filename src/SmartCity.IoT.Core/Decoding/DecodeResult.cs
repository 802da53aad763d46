namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// The outcome of decoding one message. <see cref="IsSuccess"/> with <see cref="RejectedFields"/> &gt; 0 means the reading
/// is good but some fields were dropped: the pipeline writes the reading and dead-letters a copy with <see cref="RejectionDetail"/>.
/// Strings are only built on the error paths.
/// </summary>
public readonly struct DecodeResult
{
    public DecodeResult(DecodeError error, string? detail, int rejectedFields, DecodeError rejectionReason, string? rejectionDetail, bool isAvailability, bool online, int readings = 0)
    {
        Error = error;
        Detail = detail;
        RejectedFields = rejectedFields;
        RejectionReason = rejectionReason;
        RejectionDetail = rejectionDetail;
        IsAvailability = isAvailability;
        Online = online;
        Readings = readings;
    }

    /// <summary>How many readings with at least one field the message yielded (0 on failure and for availability).</summary>
    public int Readings { get; }

    public DecodeError Error { get; }

    /// <summary>Why the whole message failed, naming the field/path/topic; null on success.</summary>
    public string? Detail { get; }

    /// <summary>Fields dropped from an otherwise good reading (wrong type, out of range, required but missing).</summary>
    public int RejectedFields { get; }

    /// <summary>Reason of the first rejected field.</summary>
    public DecodeError RejectionReason { get; }

    /// <summary>All rejected fields, one per clause separated by "; ".</summary>
    public string? RejectionDetail { get; }

    /// <summary>
    /// A well-formed availability / last-will message (then <see cref="IsSuccess"/> is true and <see cref="Online"/> holds the state);
    /// the reading has Profile, DeviceId and topic tags but no values. An unreadable one is a plain failure (<see cref="DecodeError.UnknownAvailability"/>).
    /// </summary>
    public bool IsAvailability { get; }

    public bool Online { get; }

    public bool IsSuccess => Error == DecodeError.None;

    /// <summary>The reason code to count and dead-letter under: the error, else the first rejection, else "none".</summary>
    public string ReasonCode => Error != DecodeError.None ? Error.Code() : RejectedFields > 0 ? RejectionReason.Code() : DecodeError.None.Code();

    public override string ToString() => IsSuccess
        ? RejectedFields > 0 ? $"ok, {RejectedFields} field(s) rejected: {RejectionDetail}" : IsAvailability ? (Online ? "online" : "offline") : "ok"
        : $"{Error.Code()}: {Detail}";
}
