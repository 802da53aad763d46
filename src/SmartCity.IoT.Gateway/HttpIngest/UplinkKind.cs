namespace SmartCity.IoT.Gateway.HttpIngest;

/// <summary>What a posted body turned out to be.</summary>
internal enum UplinkKind
{
    /// <summary>An uplink: routed by its topic into the pipeline.</summary>
    Uplink,

    /// <summary>Another event of the network server (a join, a status, a downlink ack): answered 204 and not stored.</summary>
    Ignored,

    /// <summary>Not a body of this format: answered 400 and dead-lettered.</summary>
    Invalid,
}
