namespace SmartCity.IoT.Gateway.HttpIngest;

/// <summary>Which network server posts to an HTTP ingest source, and so which body it sends.</summary>
internal enum UplinkFormat
{
    /// <summary>The Things Stack webhook integration, JSON format (<c>end_device_ids</c>, <c>uplink_message</c>).</summary>
    Tts,

    /// <summary>ChirpStack v4 HTTP integration, JSON encoding (<c>?event=up</c>, <c>deviceInfo</c>, <c>data</c>).</summary>
    ChirpStack,
}
