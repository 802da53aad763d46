namespace SmartCity.IoT.Gateway.HttpIngest;

/// <summary>Configuration section <c>HttpIngest</c>: network servers posting uplinks by HTTP (The Things Stack, ChirpStack).</summary>
internal sealed class HttpIngestOptions
{
    public const string SectionName = "HttpIngest";

    /// <summary>The URL prefix of every ingest source: <c>/ingest/{name}</c>.</summary>
    public const string PathPrefix = "/ingest";

    public HttpIngestSourceOptions[] Sources { get; set; } = [];

    /// <summary>
    /// How long a request waits for its readings to be durable before it is answered 503 with Retry-After (the senders
    /// give up after 5 s, ChirpStack, or 10 s, The Things Stack).
    /// </summary>
    public TimeSpan AnswerTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long an uplink's id is remembered, so the same uplink posted again is stored and evaluated once.</summary>
    public TimeSpan DedupeWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>At most this many uplink ids are remembered per source (the oldest go first).</summary>
    public int DedupeCapacity { get; set; } = 200_000;

    /// <summary>Uplinks waiting per source to enter the pipeline; further ones are answered 503.</summary>
    public int MaxQueued { get; set; } = 5_000;
}
