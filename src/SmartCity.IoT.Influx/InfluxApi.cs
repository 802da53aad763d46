namespace SmartCity.IoT.Influx;

/// <summary>Which write endpoint the gateway uses.</summary>
public enum InfluxApi
{
    /// <summary><c>POST /api/v2/write?org=&amp;bucket=&amp;precision=ns</c> with <c>Authorization: Token</c> (InfluxDB 1.8+, 2.x, 3.x, VictoriaMetrics).</summary>
    V2,

    /// <summary><c>POST /write?db=&amp;rp=&amp;precision=n</c> with basic auth (InfluxDB 1.x, and 2.x/3.x through DBRP mappings).</summary>
    V1,
}
