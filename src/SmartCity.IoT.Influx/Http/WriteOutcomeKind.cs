namespace SmartCity.IoT.Influx.Http;

internal enum WriteOutcomeKind
{
    /// <summary>Every line is in InfluxDB or, refused as bad, in the dead-letter store.</summary>
    Written,

    /// <summary>Network error, timeout, 5xx, 429/503: try again later (spool it meanwhile).</summary>
    Unavailable,

    /// <summary>401/403/404 or an unexpected refusal: keep the data, retry, and alarm until an operator fixes it.</summary>
    Held,
}
