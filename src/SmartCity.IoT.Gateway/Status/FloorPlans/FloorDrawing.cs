using System.Text;
using System.Xml.Linq;
using SmartCity.IoT.Gateway.Status.Pages;

namespace SmartCity.IoT.Gateway.Status.FloorPlans;

/// <summary>
/// Writes a sanitized floor plan into the page with each zone coloured and wrapped in a link to its place page, titled
/// with its state (a tooltip, and the link's name for keyboards and screen readers).
/// </summary>
internal static class FloorDrawing
{
    private static readonly XNamespace Svg = SvgSanitizer.Svg;
    private static readonly HashSet<string> Filled = new(StringComparer.Ordinal) { "rect", "circle", "ellipse", "polygon", "path", "use" };

    public static StringBuilder Append(StringBuilder h, FloorPlan plan, FloorColouring colouring)
    {
        var root = new XElement(plan.Svg.Root!); // the cached drawing stays as loaded
        root.SetAttributeValue("class", "floor-plan");
        root.SetAttributeValue("role", "group");
        root.SetAttributeValue("aria-label", "Floor plan of " + plan.Floor.Name);
        var shapes = root.Descendants().Where(e => e.Attribute("id")?.Value is { } id && colouring.Zones.ContainsKey(id) && e.Name.LocalName != "svg").ToList();
        foreach (var shape in shapes)
        {
            var id = shape.Attribute("id")!.Value;
            if (shape.Ancestors(Svg + "a").Any())
            {
                continue; // a zone drawn inside another zone's group: the outer link holds it
            }

            var zone = colouring.Zones[id];
            Fill(shape, id, zone.Fill);
            if (shape.Name.LocalName == "g")
            {
                foreach (var part in shape.Descendants().Where(d => Filled.Contains(d.Name.LocalName)))
                {
                    Fill(part, id, zone.Fill);
                }
            }

            var link = new XElement(Svg + "a",
                new XAttribute("href", "/place/" + Uri.EscapeDataString(id)),
                new XAttribute("class", "zone"),
                new XAttribute("data-zone", id),
                new XAttribute("data-state", zone.State),
                new XAttribute("aria-label", zone.Label),
                new XElement(Svg + "title", zone.Label));
            shape.AddBeforeSelf(link);
            shape.Remove();
            link.Add(shape);
        }

        return h.Append(root.ToString(SaveOptions.DisableFormatting));
    }

    /// <summary>The legend of the colours, as a list.</summary>
    public static StringBuilder Legend(StringBuilder h, FloorColouring colouring)
    {
        h.Append("<div id=\"floor-legend\" class=\"legend\" data-mode=\"").Append(Html.E(colouring.Mode)).Append("\"><b>").Append(Html.E(colouring.Title)).Append("</b><ul>");
        foreach (var (fill, label) in colouring.Legend)
        {
            h.Append("<li><span class=\"swatch\" style=\"background:").Append(fill).Append("\" aria-hidden=\"true\"></span>").Append(Html.E(label)).Append("</li>");
        }

        return h.Append("</ul></div>");
    }

    private static void Fill(XElement e, string zone, string fill)
    {
        // A style beats the drawing's own fill attribute and any class; the rest of its style stays.
        var style = e.Attribute("style")?.Value.TrimEnd(';', ' ');
        e.SetAttributeValue("style", (string.IsNullOrEmpty(style) ? "" : style + ";") + "fill:" + fill);
        e.SetAttributeValue("data-fill-of", zone);
    }
}
