using System.Text;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Gateway.Status.FloorPlans;

namespace SmartCity.IoT.Gateway.Status.Pages;

/// <summary>
/// A floor's plan with its zones coloured by alert state or by a field, a legend, a table of the zones (the same facts
/// for keyboards and screen readers), and what is wrong with the drawing. Server-rendered; a small script refreshes the
/// colours in place every <see cref="StatusOptions.FloorRefresh"/> (the focus stays where it is).
/// </summary>
internal static class FloorPage
{
    public static string Render(PageRequest request, FloorPlan plan, FloorColouring? colouring, IReadOnlyList<FieldDefinition> fields, StatusOptions options)
    {
        var floor = plan.Floor;
        var h = PageLayout.Begin("Floor plan: " + floor.Name, "", request);
        PlaceLinks.Breadcrumb(h, floor, linkSelf: true);
        h.Append("<h1>Floor plan: ").Append(Html.E(floor.Name)).Append("</h1>");
        var mode = colouring?.Mode ?? "alerts";
        h.Append("<nav class=\"modes\" aria-label=\"colour the zones by\">Colour by: ");
        Mode(h, floor.Id, "alerts", "alerts", mode);
        foreach (var f in fields)
        {
            Mode(h, floor.Id, f.Name, f.Name, mode);
        }

        h.Append("</nav>");
        h.Append("<div id=\"floor-live\" data-refresh-ms=\"").Append((long)options.FloorRefresh.TotalMilliseconds).Append("\">");
        if (!plan.Drawable || colouring is null)
        {
            h.Append("<p role=\"alert\" class=\"notice error\">This floor plan is not shown: ").Append(Html.E(plan.Messages().FirstOrDefault())).Append("</p>");
        }
        else
        {
            h.Append("<div class=\"floor\"><figure class=\"floor-figure\">");
            FloorDrawing.Append(h, plan, colouring);
            h.Append("<figcaption class=\"muted\">Each zone links to its place page. Updated <span id=\"floor-updated\">").Append(Html.E(Humanize.Absolute(request.Now)))
                .Append("</span>.</figcaption></figure>");
            FloorDrawing.Legend(h, colouring);
            h.Append("</div>");
        }

        Notes(h, plan);
        h.Append("</div>");

        if (colouring is not null)
        {
            h.Append("<h2>Zones</h2><table class=\"zones\"><thead><tr><th>Zone</th><th>Now</th></tr></thead><tbody>");
            foreach (var zone in Self(floor).Skip(1).Where(p => colouring.Zones.ContainsKey(p.Id)))
            {
                var z = colouring.Zones[zone.Id];
                h.Append("<tr><td><span class=\"swatch\" data-swatch-of=\"").Append(Html.E(zone.Id)).Append("\" style=\"background:").Append(z.Fill).Append("\" aria-hidden=\"true\"></span><a href=\"").Append(PlaceLinks.PlaceHref(zone.Id)).Append("\">")
                    .Append(Html.E(zone.Name)).Append("</a></td><td data-zone-state=\"").Append(Html.E(zone.Id)).Append("\">").Append(Html.E(z.Label)).Append("</td></tr>");
            }

            h.Append("</tbody></table>");
        }

        return PageLayout.End(h, script: LiveScript);
    }

    public static string NotFound(PageRequest request, string id, string why)
    {
        var h = PageLayout.Begin("No floor plan", "", request);
        h.Append("<h1>No floor plan</h1><p>").Append(Html.E(why)).Append(" <a href=\"/\">Buildings</a>").Append(id.Length > 0 ? $" · <a href=\"{PlaceLinks.PlaceHref(id)}\">place page</a>" : "").Append("</p>");
        return PageLayout.End(h);
    }

    /// <summary>What the facility manager should fix in the drawing, shown under it (each is logged as well).</summary>
    public static void Notes(StringBuilder h, FloorPlan plan)
    {
        var notes = plan.Messages().ToList();
        h.Append("<div id=\"floor-notes\">");
        if (notes.Count > 0 && plan.Drawable)
        {
            h.Append("<details class=\"notes\"").Append(notes.Count <= 5 ? " open" : "").Append("><summary class=\"warn\">").Append(notes.Count).Append(notes.Count == 1 ? " note" : " notes")
                .Append(" about this floor plan</summary><ul>");
            foreach (var n in notes)
            {
                h.Append("<li>").Append(Html.E(n)).Append("</li>");
            }

            h.Append("</ul></details>");
        }

        h.Append("</div>");
    }

    private static IEnumerable<Core.Places.Place> Self(Core.Places.Place p) => new[] { p }.Concat(p.Children.SelectMany(Self));

    private static void Mode(StringBuilder h, string floor, string value, string label, string current)
    {
        if (value == current)
        {
            h.Append("<b aria-current=\"true\">").Append(Html.E(label)).Append("</b> ");
        }
        else
        {
            h.Append("<a href=\"").Append(PlaceLinks.FloorHref(floor, value)).Append("\">").Append(Html.E(label)).Append("</a> ");
        }
    }

    /// <summary>
    /// Fetches this page again and copies the zones' fills, states and titles, the legend and the notes into the page,
    /// leaving everything else (and the focus) alone. Paused while the tab is hidden.
    /// </summary>
    private const string LiveScript = """
        <script>
        (function(){const live=document.getElementById('floor-live');if(!live)return;const ms=Number(live.dataset.refreshMs)||5000;let busy=false;
        async function tick(){if(busy||document.hidden)return;busy=true;try{const r=await fetch(location.href,{cache:'no-store'});if(!r.ok)return;
        const doc=new DOMParser().parseFromString(await r.text(),'text/html');
        const fresh=[...doc.querySelectorAll('#floor-live [data-fill-of]')],old=[...live.querySelectorAll('[data-fill-of]')];
        if(fresh.length===old.length)fresh.forEach((e,i)=>old[i].setAttribute('style',e.getAttribute('style')));
        doc.querySelectorAll('#floor-live a[data-zone]').forEach(e=>{const o=live.querySelector('a[data-zone="'+CSS.escape(e.dataset.zone)+'"]');if(!o)return;
        o.dataset.state=e.dataset.state;o.setAttribute('aria-label',e.getAttribute('aria-label'));const t=o.querySelector('title'),n=e.querySelector('title');if(t&&n)t.textContent=n.textContent;});
        doc.querySelectorAll('[data-zone-state]').forEach(e=>{const o=document.querySelector('[data-zone-state="'+CSS.escape(e.dataset.zoneState)+'"]');if(o)o.textContent=e.textContent;});
        doc.querySelectorAll('[data-swatch-of]').forEach(e=>{const o=document.querySelector('[data-swatch-of="'+CSS.escape(e.dataset.swatchOf)+'"]');if(o)o.setAttribute('style',e.getAttribute('style'));});
        for(const id of ['floor-legend','floor-notes','floor-updated']){const n=doc.getElementById(id),o=document.getElementById(id);if(n&&o)o.innerHTML=n.innerHTML;}
        }catch(e){}finally{busy=false;}}
        setInterval(tick,ms);})();
        </script>
        """;
}
