using SmartCity.IoT.Gateway.Security;
using SmartCity.IoT.IntegrationTests.Infrastructure;

namespace SmartCity.IoT.IntegrationTests.Security;

/// <summary>A gateway (real Mosquitto) with two logins and two API tokens, one of each role, and no anonymous reads.</summary>
public sealed class AuthGatewayFixture : IAsyncLifetime
{
    public const string Operator = "olga";
    public const string OperatorPassword = "olga-correct-horse-42";
    public const string Viewer = "vic";
    public const string ViewerPassword = "vic-battery-staple-17";
    public const string OperatorTokenName = "ops-bot";

    public static readonly string OperatorToken = GeneratedLogin.NewSecret(32);
    public static readonly string ViewerToken = GeneratedLogin.NewSecret(32);

    internal GatewayInstance Gateway { get; private set; } = null!;

    public string BaseUrl => Gateway.BaseUrl;

    public async Task InitializeAsync()
    {
        Gateway = await GatewayInstance.StartAsync(s =>
        {
            s["Http:Auth:AnonymousReads"] = "false";
            s["Http:Auth:Users:0:Name"] = Operator;
            s["Http:Auth:Users:0:Role"] = "operator";
            s["Http:Auth:Users:0:PasswordHash"] = HttpCredentials.HashPassword(OperatorPassword);
            s["Http:Auth:Users:1:Name"] = Viewer;
            s["Http:Auth:Users:1:Role"] = "viewer";
            s["Http:Auth:Users:1:PasswordHash"] = HttpCredentials.HashPassword(ViewerPassword);
            s["Http:Auth:Tokens:0:Name"] = OperatorTokenName;
            s["Http:Auth:Tokens:0:Role"] = "operator";
            s["Http:Auth:Tokens:0:Token"] = OperatorToken;
            s["Http:Auth:Tokens:1:Name"] = "dashboard";
            s["Http:Auth:Tokens:1:Role"] = "viewer";
            s["Http:Auth:Tokens:1:Token"] = ViewerToken;
        });
    }

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}
