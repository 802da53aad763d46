using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SmartCity.IoT.Alerts.Outbox;

namespace SmartCity.IoT.Alerts;

/// <summary>
/// The alert HTTP API (JSON). Put it behind the host's authentication: acknowledgements and silences change what operators
/// receive; with a signed-in user, that user is who acknowledged or silenced (the body's name is used only without one).
/// </summary>
public static class AlertEndpoints
{
    public static IEndpointRouteBuilder MapAlertEndpoints(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/api");

        api.MapGet("/alerts", (AlertStatusService s) => Results.Ok(s.GetAlerts()));
        api.MapGet("/alerts/{fingerprint}", (string fingerprint, AlertStatusService s) =>
            s.GetAlert(fingerprint) is { } a ? Results.Ok(a) : Results.NotFound(Problem($"no alert with fingerprint '{fingerprint}'")));
        api.MapPost("/alerts/{fingerprint}/ack", async (string fingerprint, HttpRequest request, AlertStatusService s) =>
        {
            AcknowledgeRequest? body = null;
            if (request.HasJsonContentType())
            {
                try
                {
                    body = await request.ReadFromJsonAsync<AcknowledgeRequest>().ConfigureAwait(false);
                }
                catch (System.Text.Json.JsonException ex)
                {
                    return Results.BadRequest(Problem($"body: {ex.Message}"));
                }
            }

            return s.Acknowledge(fingerprint, SignedIn(request.HttpContext) ?? body?.By, body?.Comment)
                ? Results.Ok(s.GetAlert(fingerprint))
                : Results.NotFound(Problem($"no alert with fingerprint '{fingerprint}'"));
        });
        api.MapDelete("/alerts/{fingerprint}/ack", (string fingerprint, AlertStatusService s) =>
            s.Unacknowledge(fingerprint) ? Results.Ok(s.GetAlert(fingerprint)) : Results.NotFound(Problem($"no alert with fingerprint '{fingerprint}'")));

        api.MapGet("/silences", (AlertStatusService s) => Results.Ok(s.GetSilences()));
        api.MapPost("/silences", (HttpContext context, SilenceRequest request, AlertStatusService s) =>
        {
            request.CreatedBy = SignedIn(context) ?? request.CreatedBy;
            try
            {
                var silence = s.CreateSilence(request);
                return Results.Created($"/api/silences/{silence.Id}", silence);
            }
            catch (ArgumentException ex)
            {
                return Results.BadRequest(Problem(ex.Message));
            }
        });
        api.MapDelete("/silences/{id}", (string id, AlertStatusService s) =>
            s.ExpireSilence(id) ? Results.NoContent() : Results.NotFound(Problem($"no active silence '{id}'")));

        api.MapGet("/dead-letters", (AlertStatusService s) => Results.Ok(s.GetDeadLetters()));
        api.MapPost("/dead-letters/{id:long}/retry", (long id, AlertStatusService s) => s.RetryDeadLetter(id) switch
        {
            DeadLetterRetryResult.Requeued => Results.Accepted(),
            DeadLetterRetryResult.Superseded => Results.Conflict(Problem($"dead letter {id} is superseded: a later notification about the same alert was already delivered")),
            _ => Results.NotFound(Problem($"no dead letter {id}")),
        });

        api.MapGet("/webhooks", (AlertStatusService s) => Results.Ok(s.GetEndpoints()));
        api.MapPost("/webhooks/{name}/enable", (string name, AlertStatusService s) =>
            s.EnableEndpoint(name) ? Results.NoContent() : Results.NotFound(Problem($"no disabled endpoint '{name}'")));
        return app;
    }

    /// <summary>Under a host's authentication, who acted is the signed-in user, whatever name the request body gives.</summary>
    private static string? SignedIn(HttpContext context) => context.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : null;

    private static Dictionary<string, string> Problem(string message) => new() { ["error"] = message };
}
