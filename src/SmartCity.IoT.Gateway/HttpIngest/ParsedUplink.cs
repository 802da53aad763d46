namespace SmartCity.IoT.Gateway.HttpIngest;

/// <summary>
/// A posted body after <see cref="UplinkParser"/>: an uplink's topic and the id that tells a repeat of it apart
/// (<see cref="DedupeKey"/>, null when the body carries none), or why it is ignored or invalid.
/// </summary>
internal readonly record struct ParsedUplink(UplinkKind Kind, string? Topic, string? DedupeKey, string? Reason)
{
    public static ParsedUplink Invalid(string reason) => new(UplinkKind.Invalid, null, null, reason);

    public static ParsedUplink Ignored(string reason) => new(UplinkKind.Ignored, null, null, reason);
}
