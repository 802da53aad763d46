using System.Text;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Gateway.Pipeline;
using SmartCity.IoT.Gateway.Status.Buildings;
using SmartCity.IoT.Rules.Engine;

namespace SmartCity.IoT.Gateway.Status.Pages;

/// <summary>
/// The building view: places from the hierarchy, each coloured by its worst active alert with its key values, devices
/// reporting and silent, a search, and the active alerts. Collapsed by default and paged by whole buildings, so 10,000
/// devices stay one light page.
/// </summary>
internal static class HomePage
{
    /// <summary>Device rows a place shows in the tree; the rest are one link away (the place opened, paged).</summary>
    public const int DevicesPerPlace = 10;

    /// <param name="page">1-based page of buildings.</param>
    /// <param name="open">A place path (<c>hq/4</c>) to show opened, e.g. from a device page's breadcrumb.</param>
    public static string Render(PageRequest request, BuildingTree tree, IReadOnlyList<AlertEntry> alerts, FieldVocabulary vocabulary, IReadOnlyList<int> keyFields,
        StatusOptions options, string? search, int page, string? open, HomeBanners banners, int devicePage = 1, IReadOnlyList<Core.Places.Place>? floorPlans = null)
    {
        var h = PageLayout.Begin("Buildings", "/", request);
        h.Append("<h1>Buildings</h1><div class=\"cards\">");
        Card(h, "Devices", Humanize.Count(tree.DeviceCount), "", "known to the gateway");
        Card(h, "Reporting", Humanize.Count(tree.ReportingCount), "ok", $"heard within {Humanize.Span(options.SilentAfter)}");
        Card(h, "Silent", Humanize.Count(tree.SilentCount), tree.SilentCount > 0 ? "warn" : "ok", "offline or not heard from");
        Card(h, "Active alerts", Humanize.Count(alerts.Count), alerts.Count > 0 ? "bad" : "ok",
            string.Join(", ", alerts.GroupBy(a => a.SeverityName).Select(g => $"{g.Count()} {g.Key}")) is { Length: > 0 } bySeverity ? bySeverity : "none");
        h.Append("</div>");
        banners.Append(h, request);

        if (floorPlans is { Count: > 0 })
        {
            h.Append("<nav class=\"floors\" aria-label=\"floor plans\">Floor plans: ");
            foreach (var f in floorPlans)
            {
                h.Append("<a href=\"").Append(PlaceLinks.FloorHref(f.Id)).Append("\">").Append(Html.E(f.Parent is { } b ? b.Name + " · " + f.Name : f.Name)).Append("</a> ");
            }

            h.Append("</nav>");
        }

        if (tree.Buildings.FirstOrDefault(b => b.Name == ModelPlaceHierarchy.Unplaced) is { } unplaced)
        {
            h.Append("<p class=\"warn unplaced\">").Append(Humanize.Count(unplaced.DeviceCount)).Append(unplaced.DeviceCount == 1 ? " device is" : " devices are")
                .Append(" not placed by the building model: <a href=\"/?open=").Append(Html.Q(unplaced.Path)).Append("\">").Append(Html.E(ModelPlaceHierarchy.Unplaced))
                .Append("</a>, grouped by family.</p>");
        }

        h.Append("<form method=\"get\" action=\"/\" role=\"search\" style=\"margin:.8rem 0\"><label>Find a device, place or tag <input type=\"search\" name=\"q\" value=\"")
            .Append(Html.E(search)).Append("\" size=\"30\" placeholder=\"e.g. hq, meeting-room, toilet\"></label> <button type=\"submit\">Search</button>");
        if (!string.IsNullOrEmpty(search))
        {
            h.Append(" <a href=\"/\">clear</a> <span class=\"muted\">").Append(Humanize.Count(tree.MatchedCount)).Append(" matching devices</span>");
        }

        h.Append("</form>");

        var pages = Paginate(tree.Buildings, options.DevicesPerPage);
        page = Math.Clamp(page, 1, Math.Max(1, pages.Count));
        if (pages.Count > 1)
        {
            Pager(h, pages.Count, page, search);
        }

        if (tree.Buildings.Count == 0)
        {
            h.Append("<p class=\"muted\">").Append(string.IsNullOrEmpty(search) ? "No device has reported yet." : "No device matches.").Append("</p>");
        }

        var expand = !string.IsNullOrEmpty(search);
        // Looked up per device row: an outage can fire an alert for each of thousands of devices.
        var byDevice = alerts.ToLookup(a => (a.ProfileId, a.DeviceId));
        foreach (var building in pages.Count == 0 ? [] : pages[page - 1])
        {
            Place(h, building, request, vocabulary, keyFields, byDevice, expand, open, options.DevicesPerPage, devicePage);
        }

        if (pages.Count > 1)
        {
            Pager(h, pages.Count, page, search);
        }

        h.Append("<h2>Active alerts (").Append(Humanize.Count(alerts.Count)).Append(")</h2>");
        AlertTable.Append(h, alerts, request, limit: 50);
        return PageLayout.End(h, refresh: string.IsNullOrEmpty(search));
    }

    /// <summary>Whole buildings per page, about <paramref name="devicesPerPage"/> devices each.</summary>
    private static List<List<PlaceNode>> Paginate(IReadOnlyList<PlaceNode> buildings, int devicesPerPage)
    {
        var pages = new List<List<PlaceNode>>();
        var current = new List<PlaceNode>();
        var count = 0;
        foreach (var b in buildings)
        {
            if (current.Count > 0 && count + b.DeviceCount > devicesPerPage)
            {
                pages.Add(current);
                current = [];
                count = 0;
            }

            current.Add(b);
            count += b.DeviceCount;
        }

        if (current.Count > 0)
        {
            pages.Add(current);
        }

        return pages;
    }

    private static void Pager(StringBuilder h, int pages, int page, string? search)
    {
        h.Append("<nav class=\"pager\" aria-label=\"building pages\">Page ");
        for (var p = 1; p <= pages; p++)
        {
            if (p == page)
            {
                h.Append("<span aria-current=\"page\"><b>").Append(p).Append("</b></span>");
            }
            else
            {
                h.Append("<a href=\"/?page=").Append(p).Append(string.IsNullOrEmpty(search) ? "" : "&q=" + Html.Q(search)).Append("\">").Append(p).Append("</a>");
            }
        }

        h.Append("</nav>");
    }

    private static void Place(StringBuilder h, PlaceNode node, PageRequest request, FieldVocabulary vocabulary, IReadOnlyList<int> keyFields, ILookup<(string, string), AlertEntry> alerts, bool expand, string? open,
        int devicesPerPage, int devicePage)
    {
        var worst = node.Worst?.ToString().ToLowerInvariant() ?? "none";
        var isOpen = expand || (open is not null && (open == node.Path || open.StartsWith(node.Path + "/", StringComparison.Ordinal)));
        h.Append("<details class=\"place place-").Append(worst).Append("\" data-place=\"").Append(Html.E(node.Path)).Append("\" data-worst=\"").Append(worst).Append('"')
            .Append(isOpen ? " open" : "").Append("><summary><span class=\"dot dot-").Append(worst).Append("\" aria-hidden=\"true\"></span><b>").Append(Html.E(node.Name))
            .Append("</b>").Append(node.PlaceId is { } placeId ? $" <a href=\"{PlaceLinks.PlaceHref(placeId)}\">place page</a>" : "")
            .Append(" <span class=\"muted\">").Append(Humanize.Count(node.DeviceCount)).Append(node.DeviceCount == 1 ? " device" : " devices");
        if (node.Silent > 0)
        {
            h.Append(", ").Append(Humanize.Count(node.Silent)).Append(" silent");
        }

        h.Append("</span>");
        if (node.Alerts > 0)
        {
            h.Append(" <span class=\"bad\">").Append(Humanize.Count(node.Alerts)).Append(node.Alerts == 1 ? " alert" : " alerts").Append(" (worst: ").Append(worst).Append(")</span>");
        }

        var values = keyFields.Where(id => node.KeyValues.TryGetValue(id, out var s) && s.Count > 0)
            .Select(id => (Field: vocabulary[id], Sum: node.KeyValues[id].Sum, Count: node.KeyValues[id].Count))
            .Select(k => $"{k.Field.Name} {Humanize.Value(k.Field, k.Sum / k.Count)}{(k.Count > 1 ? " avg" : "")}");
        h.Append("<span class=\"kv\">").Append(Html.E(string.Join(" · ", values))).Append("</span></summary>");
        foreach (var child in node.Children.Values)
        {
            Place(h, child, request, vocabulary, keyFields, alerts, expand, open, devicesPerPage, devicePage);
        }

        if (node.Devices.Count > 0)
        {
            var sorted = node.Devices.OrderBy(d => d.DeviceId, PlaceNameComparer.Instance).ToList();
            if (open == node.Path)
            {
                var pages = (sorted.Count + devicesPerPage - 1) / devicesPerPage;
                var p = Math.Clamp(devicePage, 1, Math.Max(1, pages));
                Devices(h, sorted.Skip((p - 1) * devicesPerPage).Take(devicesPerPage), request, vocabulary, alerts);
                if (pages > 1)
                {
                    h.Append("<nav class=\"pager\" aria-label=\"device pages\">Devices page ");
                    for (var i = 1; i <= pages; i++)
                    {
                        h.Append(i == p ? $"<span aria-current=\"page\"><b>{i}</b></span>" : $"<a href=\"/?open={Html.Q(node.Path)}&dpage={i}\">{i}</a>");
                    }

                    h.Append("</nav>");
                }
            }
            else
            {
                Devices(h, sorted.Take(DevicesPerPlace), request, vocabulary, alerts);
                if (sorted.Count > DevicesPerPlace)
                {
                    h.Append("<p><a href=\"/?open=").Append(Html.Q(node.Path)).Append("\">All ").Append(Humanize.Count(sorted.Count)).Append(" devices here</a></p>");
                }
            }
        }

        h.Append("</details>");
    }

    /// <summary>Device rows: id, profile, last seen, latest values, alerts; also the place page's.</summary>
    internal static void Devices(StringBuilder h, IEnumerable<DeviceState> devices, PageRequest request, FieldVocabulary vocabulary, ILookup<(string, string), AlertEntry> alerts)
    {
        h.Append("<table class=\"devices\"><thead><tr><th>Device</th><th>Profile</th><th>Last seen</th><th>Latest values</th><th>Alerts</th></tr></thead><tbody>");
        foreach (var d in devices)
        {
            h.Append("<tr><td><a href=\"").Append(Html.DeviceHref(d.Profile.Id, d.DeviceId)).Append("\">").Append(Html.E(d.DeviceId)).Append("</a>")
                .Append(d.Availability switch { DeviceAvailability.Online => "", DeviceAvailability.Offline => " <span class=\"bad\">offline</span>", var a => " <span class=\"muted\">" + Html.E(a.Name()) + "</span>" }).Append("</td><td><code>").Append(Html.E(d.Profile.Id)).Append("</code></td><td>")
                .Append(d.LastSeenUnixNs > 0 ? Humanize.Time(DateTimeOffset.FromUnixTimeMilliseconds(d.LastSeenUnixNs / 1_000_000), request.Now) : "never").Append("</td><td>");
            var first = true;
            for (var id = 0; id < d.Latest.Length; id++)
            {
                var v = d.Latest[id];
                if (!double.IsNaN(v))
                {
                    h.Append(first ? "" : " · ").Append(Html.E(vocabulary[id].Name)).Append(' ').Append(Html.E(Humanize.Value(vocabulary[id], v)));
                    first = false;
                }
            }

            h.Append("</td><td>");
            foreach (var a in alerts[(d.Profile.Id, d.DeviceId)])
            {
                h.Append("<a href=\"").Append(Html.AlertHref(a.Fingerprint)).Append("\"><span class=\"dot dot-").Append(a.SeverityName).Append("\" aria-hidden=\"true\"></span>")
                    .Append(Html.E(a.Rule)).Append("</a> ");
            }

            h.Append("</td></tr>");
        }

        h.Append("</tbody></table>");
    }

    private static void Card(StringBuilder h, string title, string value, string cls, string note) => FlowPage.Card(h, title, value, cls, note);
}
