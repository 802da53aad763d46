using SmartCity.IoT.Core.Devices;

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
        ChangesAvailability = isAvailability;
        Availability = online ? DeviceAvailability.Online : DeviceAvailability.Offline;
        Readings = readings;
    }

    /// <summary>The outcome with the availability and warning the decoders put into <paramref name="ctx"/>.</summary>
    public DecodeResult(DecodeError error, string? detail, bool isAvailability, in DecodeContext ctx, int readings = 0)
        : this(error, detail, ctx.RejectedFields, ctx.RejectionReason, ctx.RejectionDetail, isAvailability, ctx.Online, readings)
    {
        ChangesAvailability = error == DecodeError.None && ctx.AvailabilityKnown;
        Availability = ctx.Availability;
        AvailabilityIncludesChildren = ctx.AvailabilityIncludesChildren;
        Warning = ctx.Warning;
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

    public bool Online => Availability == DeviceAvailability.Online;

    /// <summary>The state an availability message reported (see <see cref="ChangesAvailability"/>).</summary>
    public DeviceAvailability Availability { get; }

    /// <summary>
    /// The message sets the device's availability: an availability message, or telemetry that also says the device is
    /// up (a Sparkplug BIRTH carries values and means online).
    /// </summary>
    public bool ChangesAvailability { get; }

    /// <summary>The availability covers every device behind this one as well (a Sparkplug edge node's NDEATH).</summary>
    public bool AvailabilityIncludesChildren { get; }

    /// <summary>Worth logging, rejects nothing (a Sparkplug seq gap, a codec's warnings); null when none.</summary>
    public string? Warning { get; }

    public bool IsSuccess => Error == DecodeError.None;

    /// <summary>The reason code to count and dead-letter under: the error, else the first rejection, else "none".</summary>
    public string ReasonCode => Error != DecodeError.None ? Error.Code() : RejectedFields > 0 ? RejectionReason.Code() : DecodeError.None.Code();

    public override string ToString() => IsSuccess
        ? RejectedFields > 0 ? $"ok, {RejectedFields} field(s) rejected: {RejectionDetail}" : IsAvailability ? Availability.Name() : "ok"
        : $"{Error.Code()}: {Detail}";
}
