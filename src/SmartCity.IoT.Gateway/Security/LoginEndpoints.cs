using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using SmartCity.IoT.Gateway.Status;
using SmartCity.IoT.Gateway.Status.Pages;

namespace SmartCity.IoT.Gateway.Security;

/// <summary>Sign in and out of the page. Both are forms with antiforgery tokens; sign-in attempts are rate-limited per address.</summary>
internal static partial class LoginEndpoints
{
    private const string HtmlType = "text/html; charset=utf-8";

    public static IEndpointRouteBuilder MapLogin(this IEndpointRouteBuilder app)
    {
        app.MapGet("/login", (HttpContext ctx, string? returnUrl) =>
            Results.Content(LoginPage.Render(StatusPageEndpoints.Request(ctx), LocalPath(returnUrl), null), HtmlType)).AllowAnonymous();
        app.MapPost("/login", async (HttpContext ctx, [FromForm] string? user, [FromForm] string? password, [FromForm] string? returnUrl, HttpCredentials credentials, ILogger<HttpCredentials> logger) =>
        {
            var found = user is { Length: > 0 } && password is { Length: > 0 } ? credentials.VerifyPassword(user, password) : null;
            if (found is null)
            {
                LoginFailed(logger, Printable(user), ctx.Connection.RemoteIpAddress?.ToString() ?? "");
                return Results.Content(LoginPage.Render(StatusPageEndpoints.Request(ctx), LocalPath(returnUrl), "Wrong user or password."), HtmlType, statusCode: StatusCodes.Status401Unauthorized);
            }

            var identity = new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, found.Name), new Claim(ClaimTypes.Role, found.Role), new Claim(HttpSecurityServiceCollectionExtensions.StampClaim, found.Stamp)],
                CookieAuthenticationDefaults.AuthenticationScheme);
            await ctx.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity), new AuthenticationProperties { IsPersistent = false }).ConfigureAwait(false);
            LoggedIn(logger, found.Name, found.Role, ctx.Connection.RemoteIpAddress?.ToString() ?? "");
            return Results.Redirect(LocalPath(returnUrl));
        }).AllowAnonymous().RequireRateLimiting(HttpSecurityServiceCollectionExtensions.LoginRateLimit);
        app.MapPost("/logout", async (HttpContext ctx) =>
        {
            await ctx.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
            return Results.Redirect("/");
        }).AllowAnonymous();
        return app;
    }

    /// <summary>A path on this site to go back to; anything else (another host, //host, backslashes) becomes the home page.</summary>
    private static string LocalPath(string? url) =>
        url is { Length: > 0 } u && u[0] == '/' && !u.StartsWith("//", StringComparison.Ordinal) && !u.Contains('\\', StringComparison.Ordinal) && !u.StartsWith("/login", StringComparison.Ordinal) ? u : "/";

    /// <summary>A typed name as it may appear in a log line: no control characters (no forged lines), at most 64 characters.</summary>
    private static string Printable(string? s) => new string((s ?? "").Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray());

    [LoggerMessage(EventId = 952, Level = LogLevel.Warning, Message = "Sign-in refused for user '{User}' from {Address}")]
    private static partial void LoginFailed(ILogger logger, string user, string address);

    [LoggerMessage(EventId = 953, Level = LogLevel.Information, Message = "Signed in: {User} ({Role}) from {Address}")]
    private static partial void LoggedIn(ILogger logger, string user, string role, string address);
}
