namespace SmartCity.IoT.Gateway.Security;

/// <summary><c>Http:Auth</c>: the users of the page, the API tokens, and whether reads need a login.</summary>
internal sealed class HttpAuthOptions
{
    /// <summary>Lets anyone who can reach the port read the page and the read API; refused unless every URL is loopback.</summary>
    public bool AnonymousReads { get; set; }

    public List<HttpUserOptions> Users { get; set; } = [];

    public List<HttpTokenOptions> Tokens { get; set; } = [];

    /// <summary>
    /// Where the operator login generated when no credentials are configured (loopback only) is kept, mode 0600.
    /// </summary>
    public string GeneratedCredentialsPath { get; set; } = "data/http-operator.secret";

    /// <summary>How long a page login lasts without use.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Origins (scheme://host[:port]) besides the gateway's own that may post the page's forms, e.g. the public name behind a proxy.</summary>
    public List<string> AllowedOrigins { get; set; } = [];
}
