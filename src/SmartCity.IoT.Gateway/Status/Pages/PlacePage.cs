using System.Globalization;
using System.Text;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Core.Places;
using SmartCity.IoT.Gateway.Status.Buildings;
using SmartCity.IoT.Gateway.Status.FloorPlans;
using SmartCity.IoT.Gateway.Status.History;

namespace SmartCity.IoT.Gateway.Status.Pages;

/// <summary>
/// One place of the building model: its attributes (capacity, hours, limits), where it is on a floor plan, its children,
/// its alerts, its devices with their latest values, and the averages of its fields over time.
/// </summary>
internal static class PlacePage
{
    /// <summary>Device rows the page shows; the rest are counted.</summary>
    public const int MaxDevices = 200;

    /// <summary>Devices whose history feeds the place's charts (the first ones): bounds the page's work on a whole building.</summary>
    public const int MaxChartDevices = 2_000;

    public static string Render(PageRequest request, Place place, PlaceRollup rollup, IReadOnlyList<AlertEntry> alerts, FieldVocabulary vocabulary, IReadOnlyList<int> keyFields,
        DeviceHistory history, FloorPlan? plan, FloorColouring? colouring, StatusOptions options)
    {
        var h = PageLayout.Begin(place.Name, "", request);
        PlaceLinks.Breadcrumb(h, place, linkSelf: false);
        h.Append("<h1>").Append(Html.E(place.Name)).Append("</h1><p class=\"muted\">").Append(Html.E(place.Kind)).Append(" · id <code>").Append(Html.E(place.Id)).Append("</code>");
        if (PlaceLinks.PlanFloor(place) is { } floor)
        {
            h.Append(" · <a href=\"").Append(PlaceLinks.FloorHref(floor.Id)).Append("\">").Append(floor == place ? "floor plan" : "on the floor plan of " + Html.E(floor.Name)).Append("</a>");
        }

        h.Append("</p><div class=\"cards\">");
        var devices = rollup.DeviceCount(place);
        var silent = rollup.SilentCount(place);
        var worst = rollup.Worst(place)?.ToString().ToLowerInvariant();
        FlowPage.Card(h, "Devices", Humanize.Count(devices), "", "here and below");
        FlowPage.Card(h, "Reporting", Humanize.Count(devices - silent), "ok", $"heard within {Humanize.Span(options.SilentAfter)}");
        FlowPage.Card(h, "Silent", Humanize.Count(silent), silent > 0 ? "warn" : "ok", "offline or not heard from");
        FlowPage.Card(h, "Alerts firing", Humanize.Count(rollup.AlertCount(place)), worst is null ? "ok" : "bad", worst is null ? "none" : "worst: " + worst);
        foreach (var id in keyFields)
        {
            var (avg, n) = rollup.Average(place, id);
            if (n > 0)
            {
                FlowPage.Card(h, vocabulary[id].Name, Humanize.Value(vocabulary[id], avg), "", n > 1 ? $"average of {n} devices" : "one device");
            }
        }

        h.Append("</div>");
        Attributes(h, place);

        if (plan is not null && colouring is not null && plan.Drawable)
        {
            h.Append("<h2>Floor plan</h2><div class=\"floor\"><figure class=\"floor-figure\">");
            FloorDrawing.Append(h, plan, colouring);
            h.Append("</figure>");
            FloorDrawing.Legend(h, colouring);
            h.Append("</div>");
            FloorPage.Notes(h, plan);
        }
        else if (plan is not null)
        {
            h.Append("<h2>Floor plan</h2>");
            FloorPage.Notes(h, plan);
            h.Append("<p class=\"bad\">Not shown: ").Append(Html.E(plan.Messages().FirstOrDefault())).Append("</p>");
        }

        if (place.Children.Count > 0)
        {
            h.Append("<h2>Inside (").Append(place.Children.Count).Append(")</h2><table class=\"children\"><thead><tr><th>Place</th><th>Kind</th><th>Devices</th><th>Alerts firing</th><th>Now</th></tr></thead><tbody>");
            foreach (var c in place.Children)
            {
                var w = rollup.Worst(c)?.ToString().ToLowerInvariant() ?? "none";
                var values = keyFields.Select(id => (Field: vocabulary[id], Avg: rollup.Average(c, id))).Where(x => x.Avg.Count > 0)
                    .Select(x => $"{x.Field.Name} {Humanize.Value(x.Field, x.Avg.Average)}{(x.Avg.Count > 1 ? " avg" : "")}");
                h.Append("<tr data-place=\"").Append(Html.E(c.Id)).Append("\"><td><span class=\"dot dot-").Append(w).Append("\" aria-hidden=\"true\"></span><a href=\"").Append(PlaceLinks.PlaceHref(c.Id)).Append("\">")
                    .Append(Html.E(c.Name)).Append("</a></td><td>").Append(Html.E(c.Kind)).Append("</td><td>").Append(Humanize.Count(rollup.DeviceCount(c))).Append("</td><td>")
                    .Append(rollup.AlertCount(c) > 0 ? $"<span class=\"bad\">{rollup.AlertCount(c)} (worst: {w})</span>" : "none").Append("</td><td>").Append(Html.E(string.Join(" · ", values))).Append("</td></tr>");
            }

            h.Append("</tbody></table>");
        }

        h.Append("<h2>Alerts (").Append(Humanize.Count(alerts.Count)).Append(")</h2>");
        AlertTable.Append(h, alerts, request, limit: 100);

        var within = rollup.DevicesWithin(place);
        h.Append("<h2>Devices (").Append(Humanize.Count(within.Count)).Append(")</h2>");
        if (within.Count == 0)
        {
            h.Append("<p class=\"muted\">The building model places no device that has reported here.</p>");
        }
        else
        {
            var sorted = within.OrderBy(d => d.DeviceId, PlaceNameComparer.Instance).ToList();
            HomePage.Devices(h, sorted.Take(MaxDevices), request, vocabulary, alerts.ToLookup(a => (a.ProfileId, a.DeviceId)));
            if (sorted.Count > MaxDevices)
            {
                h.Append("<p class=\"muted\">The first ").Append(MaxDevices).Append(" of ").Append(Humanize.Count(sorted.Count)).Append(" devices; the places inside list the rest.</p>");
            }
        }

        Charts(h, place, within, vocabulary, history, request);
        return PageLayout.End(h, refresh: true);
    }

    public static string NotFound(PageRequest request, string id, bool modelLoaded)
    {
        var h = PageLayout.Begin("Unknown place", "", request);
        h.Append("<h1>Unknown place</h1><p>").Append(modelLoaded
            ? $"The building model has no place <code>{Html.E(id)}</code>."
            : "No building model is loaded (Gateway:ModelPath), so there are no place pages; the building view groups devices by their tags.")
            .Append(" <a href=\"/\">Buildings</a></p>");
        return PageLayout.End(h);
    }

    private static void Attributes(StringBuilder h, Place place)
    {
        h.Append("<h2>Attributes</h2><table class=\"attrs\"><tbody>");
        var any = false;
        foreach (var (k, v) in place.Numbers.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            h.Append("<tr><th scope=\"row\">").Append(Html.E(k)).Append("</th><td>").Append(Html.E(v.ToString("#,##0.##", CultureInfo.InvariantCulture))).Append("</td></tr>");
            any = true;
        }

        foreach (var (k, v) in place.Texts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            h.Append("<tr><th scope=\"row\">").Append(Html.E(k)).Append("</th><td>").Append(Html.E(v)).Append("</td></tr>");
            any = true;
        }

        if (place.Occupied is { } hours)
        {
            var from = place.OwnOccupied is null ? place.Parent!.SelfAndAncestors().First(p => p.OwnOccupied is not null) : null;
            h.Append("<tr><th scope=\"row\">occupied hours</th><td>").Append(Html.E(Hours(hours))).Append(" (").Append(Html.E(hours.TimeZone.Id)).Append(')')
                .Append(from is null ? "" : $" <span class=\"muted\">from <a href=\"{PlaceLinks.PlaceHref(from.Id)}\">{Html.E(from.Name)}</a></span>").Append("</td></tr>");
            any = true;
        }

        // Limits inherited from above, as rules see them (place.max_temperature on a zone of a floor that sets it).
        foreach (var ancestor in place.SelfAndAncestors().Skip(1))
        {
            foreach (var (k, v) in ancestor.Numbers.Where(kv => !place.Numbers.ContainsKey(kv.Key)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                if (place.TryGetNumber(k, out var applied) && applied.Equals(v))
                {
                    h.Append("<tr><th scope=\"row\">").Append(Html.E(k)).Append("</th><td>").Append(Html.E(v.ToString("#,##0.##", CultureInfo.InvariantCulture)))
                        .Append(" <span class=\"muted\">from <a href=\"").Append(PlaceLinks.PlaceHref(ancestor.Id)).Append("\">").Append(Html.E(ancestor.Name)).Append("</a></span></td></tr>");
                    any = true;
                }
            }
        }

        h.Append("</tbody></table>");
        if (!any)
        {
            h.Append("<p class=\"muted\">None in the building model.</p>");
        }
    }

    private static string Hours(PlaceHours hours)
    {
        var days = new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday };
        var parts = days.Select(d => (Day: d, Spans: string.Join(", ", hours.On(d).Select(s => $"{s.Start:HH\\:mm}–{s.End:HH\\:mm}"))))
            .Where(x => x.Spans.Length > 0).Select(x => $"{x.Day.ToString()[..3]} {x.Spans}").ToList();
        return parts.Count == 0 ? "never" : string.Join(" · ", parts);
    }

    private static void Charts(StringBuilder h, Place place, List<Core.Devices.DeviceState> within, FieldVocabulary vocabulary, DeviceHistory history, PageRequest request)
    {
        h.Append("<h2>Over time</h2><p class=\"muted\">The average of the devices' values here and below, one point per ").Append(Html.E(Humanize.Span(history.Interval)))
            .Append(", the last ").Append(Html.E(Humanize.Span(history.Span))).Append(within.Count > MaxChartDevices ? $" (from the first {Humanize.Count(MaxChartDevices)} devices)" : "").Append(".</p>");
        var sample = within.Take(MaxChartDevices).ToList();
        var fields = sample.SelectMany(d => history.FieldsOf(d.Index)).Distinct().Order().ToList();
        if (fields.Count == 0)
        {
            h.Append("<p class=\"muted\">No history yet.</p>");
        }

        foreach (var id in fields)
        {
            SvgChart.Append(h, vocabulary[id], PlaceHistory.Average(history, sample, id), [], request.Now);
        }
    }
}
