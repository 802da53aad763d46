using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Alerts;
using SmartCity.IoT.Core.DeadLetters;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Gateway.Pipeline;
using SmartCity.IoT.Gateway.Status.Buildings;
using SmartCity.IoT.Gateway.Status.History;
using SmartCity.IoT.Gateway.Status.Pages;
using SmartCity.IoT.Rules.Language;

namespace SmartCity.IoT.Gateway.Status;

/// <summary>
/// The status pages (server-rendered HTML) and their forms. Forms post with an antiforgery token and act through
/// <see cref="AlertStatusService"/>, the same code the JSON API in <see cref="AlertEndpoints"/> calls; then they redirect back (post/redirect/get).
/// </summary>
internal static class StatusPageEndpoints
{
    private const string HtmlType = "text/html; charset=utf-8";

    public static WebApplication MapStatusPages(this WebApplication web, IEndpointRouteBuilder app)
    {
        web.UseAntiforgery();
        app.MapGet("/", async (HttpContext ctx, StatusSnapshotBuilder status, DeviceRegistry registry, IPlaceHierarchy hierarchy, DeviceCatalog catalog, AlertStatusService alerts,
            RuleReloadStatus reloads, IOptions<StatusOptions> options, string? q, int? page, string? open, int? dpage, CancellationToken ct) =>
        {
            var request = Request(ctx);
            var o = options.Value;
            var engine = await status.ReadEngineAsync(ct);
            var keyFields = o.KeyFields.Select(f => catalog.Vocabulary.TryGet(f, out var d) ? d.Id : -1).Where(id => id >= 0).ToList();
            var silentBefore = (request.Now - o.SilentAfter).ToUnixTimeMilliseconds() * 1_000_000;
            var tree = BuildingTree.Build(registry.Snapshot(), hierarchy, engine.Active, keyFields, silentBefore, q?.Trim());
            var entries = AlertEntry.Merge(engine.Active, alerts.GetAlerts());
            var floorPlans = (hierarchy as ModelPlaceHierarchy)?.Model.Places.Where(p => p.FloorPlan is not null).ToList();
            return Results.Content(HomePage.Render(request, tree, entries, catalog.Vocabulary, keyFields, o, q?.Trim(), page ?? 1, open, Banners(status, reloads, engine), dpage ?? 1, floorPlans), HtmlType);
        });
        app.MapGet("/device", async (HttpContext ctx, StatusSnapshotBuilder status, DeviceRegistry registry, IPlaceHierarchy hierarchy, DeviceCatalog catalog, AlertStatusService alerts,
            DeviceHistory history, DeadLetterStore deadLetters, IOptions<StatusOptions> options, string? profile, string? id, CancellationToken ct) =>
        {
            var request = Request(ctx);
            var p = catalog.Profiles.FirstOrDefault(x => x.Id == profile);
            if (p is null || id is null || !registry.TryFind(p, id, out var device))
            {
                return Results.Content(DevicePage.NotFound(request, profile ?? "", id ?? ""), HtmlType, statusCode: StatusCodes.Status404NotFound);
            }

            var engine = await status.ReadEngineAsync(ct);
            var views = alerts.GetAlerts();
            var entries = AlertEntry.Merge(engine.Active.Where(a => a.ProfileId == p.Id && a.DeviceId == id).ToList(), views);
            var rules = status.Rules.Rules.Where(r => r.Match.Matches(p.Id, p.Family, id, device.Tags as IReadOnlyList<KeyValuePair<string, string>> ?? [.. device.Tags])).ToList();
            var thresholds = rules.SelectMany(ThresholdFinder.Find).ToList();
            var letters = deadLetters.Recent().Where(d => d.Source.Contains(id, StringComparison.Ordinal)).ToList();
            return Results.Content(DevicePage.Render(request, device, hierarchy.PlaceOf(device), hierarchy.LevelNames, catalog.Vocabulary, history, rules, thresholds, entries, letters, options.Value), HtmlType);
        });
        app.MapGet("/alerts", async (HttpContext ctx, StatusSnapshotBuilder status, AlertStatusService alerts, RuleReloadStatus reloads, CancellationToken ct) =>
        {
            var request = Request(ctx);
            var engine = await status.ReadEngineAsync(ct);
            var views = alerts.GetAlerts();
            return Results.Content(AlertsPage.Render(request, AlertEntry.Merge(engine.Active, views), views, engine.RuleCount, Banners(status, reloads, engine)), HtmlType);
        });
        app.MapGet("/alerts/{fingerprint}", async (HttpContext ctx, string fingerprint, StatusSnapshotBuilder status, AlertStatusService alerts, CancellationToken ct) =>
        {
            var request = Request(ctx);
            var engine = await status.ReadEngineAsync(ct);
            var view = alerts.GetAlert(fingerprint);
            var live = engine.Active.Where(a => a.Fingerprint == fingerprint).ToList();
            var entry = live.Count > 0 ? AlertEntry.Merge(live, view is null ? [] : [view])[0] : view is null ? null : AlertEntry.FromOutbox(view);
            if (entry is null)
            {
                return Results.Content(AlertPage.NotFound(request, fingerprint), HtmlType, statusCode: StatusCodes.Status404NotFound);
            }

            return Results.Content(AlertPage.Render(request, entry, alerts.GetTimeline(fingerprint), alerts.GetDeliveries(fingerprint), view is null ? [] : alerts.SilencesCovering(view)), HtmlType);
        });
        app.MapGet("/silences", (HttpContext ctx, AlertStatusService alerts) =>
            Results.Content(SilencesPage.Render(Request(ctx), alerts.GetSilences(), alerts.GetAlerts()), HtmlType));
        app.MapGet("/webhooks", (HttpContext ctx, AlertStatusService alerts) =>
            Results.Content(WebhooksPage.Render(Request(ctx), alerts.GetEndpoints(), alerts.GetPending(), alerts.GetDeadLetters()), HtmlType));
        app.MapGet("/flow", async (HttpContext ctx, StatusSnapshotBuilder status, AlertStatusService alerts, CancellationToken ct) =>
            Results.Content(FlowPage.Render(Request(ctx), await status.BuildAsync(ct), alerts.DeadLetterCount, alerts.QueueDepth), HtmlType));

        // Forms. Each acts through AlertStatusService and goes back where it came from with a notice.
        app.MapPost("/alerts/{fingerprint}/acknowledge", (HttpContext ctx, string fingerprint, [FromForm] string? comment, [FromForm] string? back, AlertStatusService alerts) =>
            alerts.Acknowledge(fingerprint, ctx.User.Identity?.Name, string.IsNullOrWhiteSpace(comment) ? null : comment.Trim())
                ? Back(back, Html.AlertHref(fingerprint), $"Acknowledged by {ctx.User.Identity?.Name}.")
                : Back(back, Html.AlertHref(fingerprint), $"No alert {fingerprint} in the outbox to acknowledge.", error: true));
        app.MapPost("/alerts/{fingerprint}/unacknowledge", (string fingerprint, [FromForm] string? back, AlertStatusService alerts) =>
            alerts.Unacknowledge(fingerprint)
                ? Back(back, Html.AlertHref(fingerprint), "Acknowledgement withdrawn.")
                : Back(back, Html.AlertHref(fingerprint), $"No alert {fingerprint}.", error: true));
        app.MapPost("/silences", (HttpContext ctx, [FromForm] string? matchers, [FromForm] string? duration, [FromForm] string? comment, [FromForm] string? back, AlertStatusService alerts) =>
        {
            if (!TimeSpan.TryParse(duration, CultureInfo.InvariantCulture, out var span) || span <= TimeSpan.Zero)
            {
                return Back(back, "/silences", $"Duration '{duration}' is not a positive time span such as 02:00:00.", error: true);
            }

            var request = new SilenceRequest
            {
                Matchers = (matchers ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(),
                Duration = span,
                CreatedBy = ctx.User.Identity?.Name,
                Comment = comment,
            };
            try
            {
                var silence = alerts.CreateSilence(request);
                return Back(back, "/silences", $"Silence created until {Humanize.Absolute(silence.EndsAt)}: {string.Join(", ", silence.Matchers)}.");
            }
            catch (ArgumentException ex)
            {
                return Back(back, "/silences", "Silence not created: " + ex.Message, error: true);
            }
        });
        app.MapPost("/silences/{id}/expire", (string id, [FromForm] string? back, AlertStatusService alerts) =>
            alerts.ExpireSilence(id) ? Back(back, "/silences", "Silence expired.") : Back(back, "/silences", $"No active silence {id}.", error: true));
        app.MapPost("/dead-letters/{id:long}/retry", (long id, [FromForm] string? back, AlertStatusService alerts) => alerts.RetryDeadLetter(id) switch
        {
            Alerts.Outbox.DeadLetterRetryResult.Requeued => Back(back, "/webhooks", $"Dead letter {id} requeued with its webhook-id; it is sent within a second."),
            Alerts.Outbox.DeadLetterRetryResult.Superseded => Back(back, "/webhooks", $"Dead letter {id} not retried: a later notification about the same alert was already delivered.", error: true),
            _ => Back(back, "/webhooks", $"No dead letter {id}.", error: true),
        });
        app.MapPost("/webhooks/{name}/enable", (string name, [FromForm] string? back, AlertStatusService alerts) =>
            alerts.EnableEndpoint(name) ? Back(back, "/webhooks", $"Endpoint {name} enabled.") : Back(back, "/webhooks", $"Endpoint {name} was not disabled.", error: true));
        app.MapPlacePages();
        return web;
    }

    private static HomeBanners Banners(StatusSnapshotBuilder status, RuleReloadStatus reloads, StatusSnapshotBuilder.EngineView engine) =>
        new(reloads.Current, status.BrokenRules, engine.ReadAt, engine.RuleCount);

    internal static PageRequest Request(HttpContext ctx)
    {
        var tokens = ctx.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(ctx);
        var query = ctx.Request.Query;
        var kept = string.Join('&', query.Where(kv => kv.Key is not "notice" and not "error").SelectMany(kv => kv.Value.Select(v => Html.Q(kv.Key) + "=" + Html.Q(v))));
        var path = ctx.Request.Path.Value + (kept.Length > 0 ? "?" + kept : "");
        return new PageRequest(ctx.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow(), tokens.FormFieldName, tokens.RequestToken ?? "", path)
        {
            Notice = query["notice"].ToString() is { Length: > 0 } n ? n : null,
            NoticeIsError = query["error"] == "1",
            User = ctx.User.Identity is { IsAuthenticated: true, Name: { } user } ? user : null,
        };
    }

    /// <summary>Redirects to <paramref name="back"/> when it is a path on this site (never elsewhere), else to <paramref name="fallback"/>.</summary>
    private static IResult Back(string? back, string fallback, string notice, bool error = false)
    {
        var target = back is { Length: > 0 } b && b[0] == '/' && !b.StartsWith("//", StringComparison.Ordinal) && !b.Contains('\\', StringComparison.Ordinal) ? b : fallback;
        return Results.Redirect(target + (target.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "notice=" + Html.Q(notice) + (error ? "&error=1" : ""));
    }
}
