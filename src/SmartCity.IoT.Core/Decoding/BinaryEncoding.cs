namespace SmartCity.IoT.Core.Decoding;

/// <summary>How a binary frame is carried: the raw MQTT payload, or hex / base64 text (alone or in a JSON string field).</summary>
public enum BinaryEncoding
{
    Raw,
    Hex,
    Base64,
}
