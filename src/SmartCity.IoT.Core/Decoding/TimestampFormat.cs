namespace SmartCity.IoT.Core.Decoding;

/// <summary>How a payload carries its timestamp.</summary>
public enum TimestampFormat
{
    /// <summary>No timestamp in the payload: the receive time is used.</summary>
    Received,
    /// <summary>ISO 8601 text; without an offset the profile's <c>utc_offset</c> (default UTC) applies.</summary>
    Iso8601,
    UnixSeconds,
    UnixMilliseconds,
    UnixMicroseconds,
    UnixNanoseconds,
}
