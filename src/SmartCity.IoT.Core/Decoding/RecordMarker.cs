namespace SmartCity.IoT.Core.Decoding;

/// <summary>What introduces each record of a record-list frame.</summary>
public enum RecordMarker
{
    /// <summary>One type byte.</summary>
    Type,
    /// <summary>A channel byte, then a type byte (Cayenne LPP).</summary>
    ChannelType,
}
