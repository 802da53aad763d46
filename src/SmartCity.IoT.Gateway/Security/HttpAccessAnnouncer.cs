using Microsoft.Extensions.Options;

namespace SmartCity.IoT.Gateway.Security;

/// <summary>Says on start who may use the HTTP surface (and makes the generated login then, not on the first request).</summary>
internal sealed partial class HttpAccessAnnouncer(HttpCredentials credentials, IOptions<HttpSecurityOptions> options, ILogger<HttpAccessAnnouncer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var auth = options.Value.Auth;
        if (credentials.GeneratedFile is { } file)
        {
            GeneratedLogin(logger, file, auth.AnonymousReads ? "anyone on this machine can read the page" : "reads need it too");
        }
        else
        {
            Configured(logger, credentials.Users.Count, credentials.Tokens.Count, auth.AnonymousReads ? "anonymous (loopback)" : "signed in");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 950, Level = LogLevel.Warning, Message = "No HTTP credentials configured (Http:Auth): an operator login for this machine only is in {File} (mode 0600; user, password and API token); {Reads}. Configure Http:Auth to replace it (SECURITY.md).")]
    private static partial void GeneratedLogin(ILogger logger, string file, string reads);

    [LoggerMessage(EventId = 951, Level = LogLevel.Information, Message = "HTTP access: {Users} user(s), {Tokens} API token(s); reads are {Reads}")]
    private static partial void Configured(ILogger logger, int users, int tokens, string reads);
}
