namespace SmartCity.IoT.Gateway.HttpIngest;

/// <summary>How an ingest request was answered, counted per source on /metrics (<c>outcome</c> label).</summary>
internal enum IngestOutcome
{
    /// <summary>2xx: the uplink's readings are durable (or it was dead-lettered by its profile).</summary>
    Stored,

    /// <summary>2xx: a repeat of an uplink already taken; not stored or evaluated again.</summary>
    Duplicate,

    /// <summary>204: another event of the network server (a join, a status).</summary>
    Ignored,

    /// <summary>400: not a body of the source's format; dead-lettered.</summary>
    BadRequest,

    /// <summary>401: no token or a wrong one.</summary>
    Unauthorized,

    /// <summary>413: body above the source's MaxBodyBytes.</summary>
    TooLarge,

    /// <summary>415: a protobuf body; the integration must send JSON.</summary>
    UnsupportedMediaType,

    /// <summary>429: above the source's rate.</summary>
    RateLimited,

    /// <summary>503: could not be stored (see <see cref="RefusalReason"/>).</summary>
    Refused,
}
