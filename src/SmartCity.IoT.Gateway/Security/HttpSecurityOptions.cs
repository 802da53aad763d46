namespace SmartCity.IoT.Gateway.Security;

/// <summary>The <c>Http</c> section as far as security goes: where the page listens, who may use it, and its certificate.</summary>
internal sealed class HttpSecurityOptions
{
    public const string SectionName = "Http";

    /// <summary>Semicolon-separated listen URLs, as Kestrel takes them (default http://127.0.0.1:8080).</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    public HttpAuthOptions Auth { get; set; } = new();

    public HttpTlsOptions Tls { get; set; } = new();
}
