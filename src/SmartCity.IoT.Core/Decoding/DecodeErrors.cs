namespace SmartCity.IoT.Core.Decoding;

/// <summary>Stable snake_case reason codes (metric labels, dead-letter reasons, sample <c>expect_error</c>).</summary>
public static class DecodeErrors
{
    public static string Code(this DecodeError error) => error switch
    {
        DecodeError.None => "none",
        DecodeError.NoMatchingProfile => "no_matching_profile",
        DecodeError.PayloadTooLarge => "payload_too_large",
        DecodeError.MalformedPayload => "malformed_payload",
        DecodeError.MissingField => "missing_field",
        DecodeError.WrongType => "wrong_type",
        DecodeError.OutOfRange => "out_of_range",
        DecodeError.NoValidFields => "no_valid_fields",
        DecodeError.BadTimestamp => "bad_timestamp",
        DecodeError.UnknownAvailability => "unknown_availability",
        DecodeError.DeviceLimitReached => "device_limit_reached",
        DecodeError.BirthMissing => "birth_missing",
        DecodeError.UnknownMetric => "unknown_metric",
        DecodeError.CodecFailed => "codec_failed",
        DecodeError.CodecLimit => "codec_limit",
        DecodeError.UnmappedField => "unmapped_field",
        DecodeError.UnknownUnit => "unknown_unit",
        DecodeError.TagTruncated => "tag_truncated",
        _ => "unknown",
    };

    public static bool TryParse(string code, out DecodeError error)
    {
        foreach (var e in Enum.GetValues<DecodeError>())
        {
            if (string.Equals(e.Code(), code, StringComparison.Ordinal))
            {
                error = e;
                return true;
            }
        }

        error = DecodeError.None;
        return false;
    }
}
