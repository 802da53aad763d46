using SmartCity.IoT.Core.Tls;

namespace SmartCity.IoT.Influx;

/// <summary>Configuration section <c>Influx</c>: where and how batches of line protocol are written.</summary>
public sealed class InfluxOptions
{
    public const string SectionName = "Influx";

    /// <summary>Base URL, e.g. <c>http://127.0.0.1:8086</c>. Empty means spool only: batches stay in the spool.</summary>
    public string Url { get; set; } = "";

    public InfluxApi Api { get; set; } = InfluxApi.V2;

    /// <summary>v2: organisation (InfluxDB 1.8 and VictoriaMetrics ignore it; any value such as <c>-</c> works).</summary>
    public string Org { get; set; } = "";

    /// <summary>v2: bucket (on InfluxDB 1.8 <c>database/retention-policy</c>).</summary>
    public string Bucket { get; set; } = "";

    /// <summary>v2: API token, sent as <c>Authorization: Token ...</c>. On v1 it is used when no username is set.</summary>
    public string Token { get; set; } = "";

    /// <summary>v1: database.</summary>
    public string Database { get; set; } = "";

    /// <summary>v1: retention policy (empty = the database's default).</summary>
    public string RetentionPolicy { get; set; } = "";

    /// <summary>v1: user name, sent with <see cref="Password"/> as HTTP basic auth (never in the URL, so never in logs).</summary>
    public string Username { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary>
    /// For an <c>https://</c> <see cref="Url"/>: the CA to validate InfluxDB against instead of the system store, a client
    /// certificate, a name override, pins (<c>Influx:Tls</c>). The server name override checks the certificate only;
    /// the TLS SNI stays the URL's host.
    /// </summary>
    public TlsClientOptions Tls { get; set; } = new();

    /// <summary>Lines per batch; InfluxDB recommends 5000. Read by the pipeline that builds batches.</summary>
    public int BatchSize { get; set; } = 5000;

    /// <summary>A partial batch is flushed after this long. Read by the pipeline that builds batches.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Send request bodies with <c>Content-Encoding: gzip</c>. Unset: on, unless InfluxDB is on this machine (a loopback
    /// URL), where compressing and decompressing only spends the box's CPU (about 5 % of the load run's).
    /// </summary>
    public bool? Gzip { get; set; }

    /// <summary>Whether bodies are compressed: <see cref="Gzip"/> when set, otherwise for any InfluxDB not on loopback.</summary>
    public bool CompressBodies => Gzip ?? !(Uri.TryCreate(Url, UriKind.Absolute, out var uri) && uri.IsLoopback);

    /// <summary>Time limit of one HTTP request.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a live batch may spend retrying (transient errors, 429/503 Retry-After) before it goes to the spool.
    /// Short on purpose: the spool is durable, so a slow InfluxDB should not stall acknowledgements.
    /// </summary>
    public TimeSpan RetryBudget { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Retries of a live batch within <see cref="RetryBudget"/> (exponential backoff with jitter).</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Longest pause between replay attempts while InfluxDB is away: bounds how soon a recovery is noticed.</summary>
    public TimeSpan ReplayMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>True when a URL is set; false means spool only.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Url);

    /// <summary>
    /// v1 only: send <c>CREATE DATABASE</c> (a no-op when it exists) before the first write and after a 404, as Telegraf
    /// does. Unset = on for v1; set false where the account may not create databases.
    /// </summary>
    public bool? CreateDatabase { get; set; }

    /// <summary>Whether the writer creates <see cref="Database"/> (see <see cref="CreateDatabase"/>).</summary>
    public bool ShouldCreateDatabase => Api == InfluxApi.V1 && (CreateDatabase ?? true) && !string.IsNullOrWhiteSpace(Database);
}
