namespace SmartCity.IoT.Gateway.HttpIngest;

/// <summary>Why an uplink was answered 503 (the <c>reason</c> label of the refusals on /metrics).</summary>
internal enum RefusalReason
{
    /// <summary>InfluxDB is not taking writes and the spool is full under the Block policy.</summary>
    SpoolFull,

    /// <summary>The spool cannot be written (disk full, permissions).</summary>
    SpoolError,

    /// <summary>More uplinks wait for the pipeline than HttpIngest:MaxQueued.</summary>
    QueueFull,

    /// <summary>Not durable within HttpIngest:AnswerTimeout (the pipeline is held by a store that takes nothing).</summary>
    Timeout,

    /// <summary>The gateway is stopping.</summary>
    Stopping,
}
