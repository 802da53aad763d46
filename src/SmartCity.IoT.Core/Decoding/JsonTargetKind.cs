namespace SmartCity.IoT.Core.Decoding;

/// <summary>What a JSON value at a profile's path feeds.</summary>
internal enum JsonTargetKind
{
    Field,
    Timestamp,
    Tag,
    Binary,
    Availability,
}
