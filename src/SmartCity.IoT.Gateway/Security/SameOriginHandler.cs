using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace SmartCity.IoT.Gateway.Security;

/// <summary>
/// Part of the operator policy: a state-changing request authenticated by the page's cookie must come from the page
/// itself (Origin, else Referer, naming this gateway or an allowed origin). Bearer requests carry no cookie, so a
/// third-party site cannot make a browser send one.
/// </summary>
internal sealed class SameOriginHandler : AuthorizationHandler<SameOriginRequirement>
{
    private readonly HashSet<string> _allowed;

    public SameOriginHandler(IOptions<HttpSecurityOptions> options) =>
        _allowed = new HashSet<string>(options.Value.Auth.AllowedOrigins, StringComparer.OrdinalIgnoreCase);

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, SameOriginRequirement requirement)
    {
        if (context.Resource is not HttpContext http || HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)
            || http.User.Identity?.AuthenticationType == BearerTokenHandler.SchemeName)
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }

        var request = http.Request;
        var own = request.Scheme + "://" + request.Host.Value;
        string? origin = request.Headers.Origin.ToString() is { Length: > 0 } o && o != "null" ? o
            : Uri.TryCreate(request.Headers.Referer.ToString(), UriKind.Absolute, out var referer) ? referer.GetLeftPart(UriPartial.Authority) : null;
        if (origin is not null && (string.Equals(origin, own, StringComparison.OrdinalIgnoreCase) || _allowed.Contains(origin)))
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, origin is null
                ? "a request signed in by cookie must carry an Origin or Referer header naming this site"
                : $"cross-origin request from {origin} refused (this site is {own}; Http:Auth:AllowedOrigins lists others)"));
        }

        return Task.CompletedTask;
    }
}
