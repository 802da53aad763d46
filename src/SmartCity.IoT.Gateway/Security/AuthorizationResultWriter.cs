using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace SmartCity.IoT.Gateway.Security;

/// <summary>A 403 says why (the role missing, or the cross-origin request refused) instead of redirecting to an access-denied page.</summary>
internal sealed class AuthorizationResultWriter : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
            return;
        }

        var failure = authorizeResult.AuthorizationFailure;
        var reasons = failure?.FailureReasons.Select(r => r.Message).ToList() ?? [];
        if (failure?.FailedRequirements.OfType<RolesAuthorizationRequirement>().FirstOrDefault() is { } roles)
        {
            reasons.Insert(0, $"this needs the {string.Join(" or ", roles.AllowedRoles)} role; {context.User.Identity?.Name} is {context.User.FindFirst(System.Security.Claims.ClaimTypes.Role)?.Value}");
        }

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("403 Forbidden: " + (reasons.Count > 0 ? string.Join("; ", reasons) : "not allowed") + "\n").ConfigureAwait(false);
    }
}
