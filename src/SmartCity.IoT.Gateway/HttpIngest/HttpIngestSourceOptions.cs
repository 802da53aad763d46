namespace SmartCity.IoT.Gateway.HttpIngest;

/// <summary>One HTTP ingest source (<c>HttpIngest:Sources:N</c>): where a network server posts its uplinks.</summary>
internal sealed class HttpIngestSourceOptions
{
    /// <summary>The source's name: the URL is <c>/ingest/{Name}</c>; a profile's <c>source</c> may name it.</summary>
    public string Name { get; set; } = "";

    /// <summary><c>tts</c> (The Things Stack webhook) or <c>chirpstack</c> (ChirpStack v4 HTTP integration).</summary>
    public string Format { get; set; } = "";

    /// <summary>The environment variable holding the token (the config file never does).</summary>
    public string? TokenEnv { get; set; }

    /// <summary>A file holding the token (a container secret); surrounding white space is ignored.</summary>
    public string? TokenFile { get; set; }

    /// <summary>
    /// The header the sender puts the token in: <c>Authorization</c> (default) takes <c>Bearer &lt;token&gt;</c> or the
    /// token alone; any other name (a TTS or ChirpStack custom header such as <c>X-Api-Key</c>) takes the token alone.
    /// </summary>
    public string Header { get; set; } = "Authorization";

    /// <summary>
    /// The topic the uplink is routed by, as if the network server had published it by MQTT; <c>{application}</c>,
    /// <c>{device}</c>, <c>{dev_eui}</c> and <c>{f_port}</c> are filled from the body. Empty: the network server's own MQTT
    /// topic (<c>v3/{application}@ttn/devices/{device}/up</c>, <c>application/{application}/device/{dev_eui}/event/up</c>).
    /// </summary>
    public string? Topic { get; set; }

    /// <summary>Larger bodies are answered 413.</summary>
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Sustained requests per second; more are answered 429 once <see cref="RateBurst"/> is spent.</summary>
    public int RatePerSecond { get; set; } = 2000;

    /// <summary>Requests above the rate taken at once.</summary>
    public int RateBurst { get; set; } = 2000;

    internal UplinkFormat ParsedFormat => Format.Equals("chirpstack", StringComparison.OrdinalIgnoreCase) ? UplinkFormat.ChirpStack : UplinkFormat.Tts;

    internal string EffectiveTopic => string.IsNullOrWhiteSpace(Topic)
        ? ParsedFormat == UplinkFormat.ChirpStack ? "application/{application}/device/{dev_eui}/event/up" : "v3/{application}@ttn/devices/{device}/up"
        : Topic;
}
