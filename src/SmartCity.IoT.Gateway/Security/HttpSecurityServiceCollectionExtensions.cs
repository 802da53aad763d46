using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Gateway.Hosting;

namespace SmartCity.IoT.Gateway.Security;

/// <summary>
/// The HTTP surface's security, all from ASP.NET Core: a cookie scheme (the page's login) and a bearer scheme (API
/// tokens) behind one policy scheme, <c>viewer</c> and <c>operator</c> policies, HTTPS from <c>Http:Tls</c>.
/// </summary>
internal static class HttpSecurityServiceCollectionExtensions
{
    public const string Scheme = "SmartCity";
    public const string LoginRateLimit = "login";

    public static IServiceCollection AddHttpSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HttpSecurityOptions>().Bind(configuration.GetSection(HttpSecurityOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HttpSecurityOptions>>(new HttpSecurityOptionsValidator(configuration));
        services.AddSingleton(sp => CreateCredentials(sp.GetRequiredService<IOptions<HttpSecurityOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<HttpAccessAnnouncer>();

        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "cookie or bearer", o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? BearerTokenHandler.SchemeName : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null)
            .AddCookie();
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme).Configure<IOptions<HttpSecurityOptions>>((o, security) =>
        {
            o.Cookie.Name = "smartcity.session";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = security.Value.Auth.SessionLifetime;
            o.SlidingExpiration = true;
            o.LoginPath = "/login";
            o.Events.OnRedirectToLogin = ctx =>
            {
                // Only a page read goes to the login form; the API and every form post answer 401.
                if (HttpMethods.IsGet(ctx.Request.Method) && !ctx.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
                {
                    ctx.Response.Redirect(ctx.RedirectUri);
                    return Task.CompletedTask;
                }

                ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                ctx.Response.Headers.WWWAuthenticate = "Bearer realm=\"smartcity\"";
                ctx.Response.ContentType = "text/plain; charset=utf-8";
                return ctx.Response.WriteAsync("401 Unauthorized: sign in at /login, or send 'Authorization: Bearer <token>' (Http:Auth:Tokens).\n");
            };
            o.Events.OnValidatePrincipal = ctx =>
            {
                // A removed user, a changed role or a new password ends the sessions signed in before.
                var credentials = ctx.HttpContext.RequestServices.GetRequiredService<HttpCredentials>();
                var user = ctx.Principal?.Identity?.Name is { } name ? credentials.FindUser(name) : null;
                if (user is null || ctx.Principal!.FindFirst(ClaimTypes.Role)?.Value != user.Role || ctx.Principal.FindFirst(StampClaim)?.Value != user.Stamp)
                {
                    ctx.RejectPrincipal();
                    return ctx.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                }

                return Task.CompletedTask;
            };
        });

        // The forms' antiforgery cookie, like the session cookie: Secure whenever the page is served over https.
        services.PostConfigure<Microsoft.AspNetCore.Antiforgery.AntiforgeryOptions>(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        services.AddSingleton<IAuthorizationHandler, SameOriginHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuthorizationResultWriter>();
        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>().Configure<IOptions<HttpSecurityOptions>>((o, security) =>
        {
            o.AddPolicy(HttpRoles.ViewerPolicy, p =>
            {
                if (security.Value.Auth.AnonymousReads)
                {
                    p.RequireAssertion(_ => true);
                }
                else
                {
                    p.RequireAuthenticatedUser().RequireRole(HttpRoles.Viewer, HttpRoles.Operator);
                }
            });
            o.AddPolicy(HttpRoles.OperatorPolicy, p => p.RequireAuthenticatedUser().RequireRole(HttpRoles.Operator).AddRequirements(new SameOriginRequirement()));
        });

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(LoginRateLimit, ctx => RateLimitPartition.GetFixedWindowLimiter(ctx.Connection.RemoteIpAddress?.ToString() ?? "",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });

        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KestrelHttpsSetup>();
        return services;
    }

    public const string StampClaim = "smartcity:stamp";

    /// <summary>Authentication, authorization and the login rate limit, before the endpoints (and their antiforgery check) run.</summary>
    public static WebApplication UseHttpSecurity(this WebApplication app)
    {
        app.UseHsts();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>
    /// The group every page and API endpoint is mapped in: a read (GET/HEAD) needs the viewer policy, anything else the
    /// operator policy, decided from the endpoint's methods when the route table is built, so a new endpoint cannot be left open.
    /// </summary>
    public static RouteGroupBuilder MapSecured(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("");
        group.AddEndpointFilter(new ApiContentTypeFilter());
        ((IEndpointConventionBuilder)group).Finally(b =>
        {
            var methods = b.Metadata.OfType<IHttpMethodMetadata>().LastOrDefault()?.HttpMethods;
            var read = methods is { Count: > 0 } && methods.All(m => HttpMethods.IsGet(m) || HttpMethods.IsHead(m));
            b.Metadata.Add(new AuthorizeAttribute(read ? HttpRoles.ViewerPolicy : HttpRoles.OperatorPolicy));
        });
        return group;
    }

    private static HttpCredentials CreateCredentials(HttpSecurityOptions options, TimeProvider time)
    {
        var errors = new List<string>();
        var configured = HttpCredentials.Resolve(options.Auth, errors);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(HttpSecurityOptions.SectionName, typeof(HttpSecurityOptions), errors);
        }

        // Nothing configured is only accepted on loopback (the validator refuses it elsewhere): an operator login for this machine.
        if (configured.IsEmpty && !options.Tls.TerminatedByProxy && HttpBinding.Parse(options.Urls).All(b => b.IsLoopback))
        {
            var file = GatewayPaths.Resolve(options.Auth.GeneratedCredentialsPath);
            return HttpCredentials.FromGenerated(GeneratedLogin.LoadOrCreate(file, time), file);
        }

        return configured;
    }
}
