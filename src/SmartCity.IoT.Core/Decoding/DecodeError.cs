namespace SmartCity.IoT.Core.Decoding;

/// <summary>Why a message (or one of its fields) was not decoded. <see cref="DecodeErrors.Code"/> gives the metric/dead-letter reason code.</summary>
public enum DecodeError
{
    None,
    /// <summary>The topic matches no telemetry or availability template of any profile.</summary>
    NoMatchingProfile,
    /// <summary>The payload is larger than the profile's (or the global) limit.</summary>
    PayloadTooLarge,
    /// <summary>The payload is not valid JSON / hex / base64, or a binary payload is too short.</summary>
    MalformedPayload,
    /// <summary>A field marked required is absent.</summary>
    MissingField,
    /// <summary>A value has the wrong JSON type or an unknown enum/boolean text.</summary>
    WrongType,
    /// <summary>A value is outside the field's valid range.</summary>
    OutOfRange,
    /// <summary>The message decoded but no valid field remained.</summary>
    NoValidFields,
    /// <summary>The timestamp field is present but cannot be read in its declared format.</summary>
    BadTimestamp,
    /// <summary>An availability message carried neither an online nor an offline value.</summary>
    UnknownAvailability,
    /// <summary>The message is from a device never seen before and the gateway already knows <c>Pipeline:MaxDevices</c> devices.</summary>
    DeviceLimitReached,
    /// <summary>Sparkplug B DATA (or a device's BIRTH state) arrived before the BIRTH that announces its metrics.</summary>
    BirthMissing,
    /// <summary>Sparkplug B DATA names an alias or metric its BIRTH did not announce.</summary>
    UnknownMetric,
    /// <summary>A JavaScript codec threw, returned errors, or returned something that is not <c>{data}</c>.</summary>
    CodecFailed,
    /// <summary>A JavaScript codec hit a sandbox limit (time, memory, recursion, statements or output size).</summary>
    CodecLimit,
    /// <summary>A JavaScript codec returned a value the profile does not map (the field is dropped).</summary>
    UnmappedField,
    /// <summary>A value came with a unit (in the payload) that has no conversion to the field's unit in the vocabulary.</summary>
    UnknownUnit,
    /// <summary>A tag value was longer than a tag may be and was cut (the reading is kept with the cut value).</summary>
    TagTruncated,
}
