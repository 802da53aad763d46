namespace SmartCity.IoT.Core.Devices;

/// <summary>
/// What a profile does with retained messages, which a broker sends again on every subscribe (profile key <c>retained</c>).
/// </summary>
public enum RetainedPolicy
{
    /// <summary>Not taken: asked not to be sent where MQTT 5 allows, dropped by the retain flag otherwise (default).</summary>
    Skip,

    /// <summary>Stored as a replay: written to the time series, never counted as the device being heard from now.</summary>
    Replay,
}
