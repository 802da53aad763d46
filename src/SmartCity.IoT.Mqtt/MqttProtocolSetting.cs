namespace SmartCity.IoT.Mqtt;

/// <summary><c>Mqtt:ProtocolVersion</c>: <c>auto</c> (MQTT 5, falling back to 3.1.1 when the broker refuses it), <c>5</c> or <c>3.1.1</c>.</summary>
internal enum MqttProtocolSetting
{
    Auto,
    V500,
    V311,
}

internal static class MqttProtocolSettings
{
    public const string Accepted = "auto, 5 or 3.1.1";

    public static bool TryParse(string? value, out MqttProtocolSetting setting)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case null or "" or "auto":
                setting = MqttProtocolSetting.Auto;
                return true;
            case "5" or "5.0" or "v5" or "mqttv5":
                setting = MqttProtocolSetting.V500;
                return true;
            case "3.1.1" or "311" or "v3.1.1" or "mqttv311":
                setting = MqttProtocolSetting.V311;
                return true;
            default:
                setting = MqttProtocolSetting.Auto;
                return false;
        }
    }
}
