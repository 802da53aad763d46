using Microsoft.Extensions.Options;
using SmartCity.IoT.Alerts;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Gateway.Status.Buildings;
using SmartCity.IoT.Gateway.Status.FloorPlans;
using SmartCity.IoT.Gateway.Status.History;
using SmartCity.IoT.Gateway.Status.Pages;

namespace SmartCity.IoT.Gateway.Status;

/// <summary>The building model's pages: a place page per place (<c>/place/{id}</c>) and a floor view per floor with a plan (<c>/floor/{id}</c>).</summary>
internal static class PlacePageEndpoints
{
    private const string HtmlType = "text/html; charset=utf-8";

    public static IEndpointRouteBuilder MapPlacePages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/place/{id}", async (HttpContext ctx, string id, ModelPlaceHierarchy places, StatusSnapshotBuilder status, DeviceRegistry registry, DeviceCatalog catalog,
            AlertStatusService alerts, DeviceHistory history, FloorPlanStore plans, IOptions<StatusOptions> options, CancellationToken ct) =>
        {
            var request = StatusPageEndpoints.Request(ctx);
            var model = places.Model;
            if (model.Find(id) is not { } place)
            {
                return Results.Content(PlacePage.NotFound(request, id, !model.IsEmpty), HtmlType, statusCode: StatusCodes.Status404NotFound);
            }

            var o = options.Value;
            var keyFields = KeyFields(catalog.Vocabulary, o);
            var engine = await status.ReadEngineAsync(ct);
            var rollup = PlaceRollup.Build(model, places.ModelPlaceOf, registry.Snapshot(), engine.Active, keyFields, SilentBefore(request, o));
            var within = rollup.DevicesWithin(place).Select(d => (d.Profile.Id, d.DeviceId)).ToHashSet();
            var entries = AlertEntry.Merge(engine.Active.Where(a => within.Contains((a.ProfileId, a.DeviceId))).ToList(), alerts.GetAlerts());
            var plan = plans.Get(model, place);
            var colouring = plan is { Drawable: true } ? FloorColouring.ByAlerts(plan, rollup) : null;
            return Results.Content(PlacePage.Render(request, place, rollup, entries, catalog.Vocabulary, keyFields, history, plan, colouring, o), HtmlType);
        });
        app.MapGet("/floor/{id}", async (HttpContext ctx, string id, string? colour, ModelPlaceHierarchy places, StatusSnapshotBuilder status, DeviceRegistry registry,
            DeviceCatalog catalog, FloorPlanStore plans, IOptions<StatusOptions> options, CancellationToken ct) =>
        {
            var request = StatusPageEndpoints.Request(ctx);
            var model = places.Model;
            if (model.Find(id) is not { } floor)
            {
                return Results.Content(FloorPage.NotFound(request, "", model.IsEmpty ? "No building model is loaded, so there are no floor plans." : $"The building model has no place '{id}'."),
                    HtmlType, statusCode: StatusCodes.Status404NotFound);
            }

            if (plans.Get(model, floor) is not { } plan)
            {
                return Results.Content(FloorPage.NotFound(request, floor.Id, $"{floor.Name} has no floor_plan in the building model."), HtmlType, statusCode: StatusCodes.Status404NotFound);
            }

            var o = options.Value;
            var keyFields = KeyFields(catalog.Vocabulary, o);
            FieldDefinition? field = null;
            if (colour is { Length: > 0 } and not "alerts")
            {
                if (!catalog.Vocabulary.TryGet(colour, out var f))
                {
                    return Results.Redirect(PlaceLinks.FloorHref(floor.Id) + "?notice=" + Html.Q($"No field '{colour}' in the vocabulary: coloured by alerts.") + "&error=1");
                }

                field = f;
                if (!keyFields.Contains(f.Id))
                {
                    keyFields = [.. keyFields, f.Id];
                }
            }

            FloorColouring? colouring = null;
            if (plan.Drawable)
            {
                var engine = await status.ReadEngineAsync(ct);
                var rollup = PlaceRollup.Build(model, places.ModelPlaceOf, registry.Snapshot(), engine.Active, keyFields, SilentBefore(request, o));
                colouring = field is null ? FloorColouring.ByAlerts(plan, rollup) : FloorColouring.ByField(plan, rollup, field);
            }

            var choices = keyFields.Select(i => catalog.Vocabulary[i]).ToList();
            return Results.Content(FloorPage.Render(request, plan, colouring, choices, o), HtmlType);
        });
        return app;
    }

    private static List<int> KeyFields(FieldVocabulary vocabulary, StatusOptions o) =>
        o.KeyFields.Select(f => vocabulary.TryGet(f, out var d) ? d.Id : -1).Where(i => i >= 0).ToList();

    private static long SilentBefore(PageRequest request, StatusOptions o) => (request.Now - o.SilentAfter).ToUnixTimeMilliseconds() * 1_000_000;
}
