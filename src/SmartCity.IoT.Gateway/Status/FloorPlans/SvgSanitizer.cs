using System.Xml;
using System.Xml.Linq;

namespace SmartCity.IoT.Gateway.Status.FloorPlans;

/// <summary>
/// Makes a user's floor-plan SVG safe to inline in the page: an allowlist of drawing elements and presentation attributes.
/// Scripts, event handlers (<c>on*</c>), links, images, embedded HTML, animations, style sheets and every reference outside
/// the drawing (<c>href</c> or <c>url()</c> not starting with <c>#</c>) are removed and each removal is named; a file that is
/// not well-formed SVG, or declares a DOCTYPE or entities, is refused whole.
/// </summary>
internal static class SvgSanitizer
{
    public static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private static readonly XNamespace XLink = "http://www.w3.org/1999/xlink";

    /// <summary>Larger files are refused: a floor plan is a few shapes, and the page inlines it on every request.</summary>
    public const int MaxChars = 2_000_000;

    private static readonly HashSet<string> Elements = new(StringComparer.Ordinal)
    {
        "svg", "g", "defs", "symbol", "use", "title", "desc", "rect", "circle", "ellipse", "line", "polyline", "polygon", "path", "text", "tspan",
        "linearGradient", "radialGradient", "stop", "clipPath", "mask", "pattern", "marker",
    };

    // Editors' bookkeeping (Inkscape, Illustrator, RDF metadata): dropped without a note, it never draws anything.
    private static readonly HashSet<string> QuietNamespaces = new(StringComparer.Ordinal)
    {
        "http://www.inkscape.org/namespaces/inkscape", "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd", "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://creativecommons.org/ns#", "http://purl.org/dc/elements/1.1/", "http://ns.adobe.com/AdobeIllustrator/10.0/", "http://ns.adobe.com/SaveForWeb/1.0/",
    };

    private static readonly HashSet<string> Attributes = new(StringComparer.Ordinal)
    {
        "id", "class", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "dx", "dy", "width", "height", "d", "points", "transform",
        "viewBox", "preserveAspectRatio", "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-dasharray", "stroke-linecap",
        "stroke-linejoin", "opacity", "font-size", "font-family", "font-weight", "font-style", "text-anchor", "dominant-baseline", "letter-spacing", "style",
        "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform", "spreadMethod", "clip-path", "clip-rule", "mask", "marker-start", "marker-mid",
        "marker-end", "markerWidth", "markerHeight", "markerUnits", "refX", "refY", "orient", "patternUnits", "patternTransform", "visibility", "display", "version",
        "pathLength", "vector-effect", "pointer-events",
    };

    /// <summary>Sanitizes <paramref name="text"/> (the file's content); <paramref name="source"/> names it in messages.</summary>
    public static SanitizedSvg Sanitize(string text, string source)
    {
        if (text.Length > MaxChars)
        {
            return SanitizedSvg.Refuse($"{source}: {text.Length:N0} characters, more than the {MaxChars:N0} a floor plan may have");
        }

        XDocument doc;
        try
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = MaxChars, IgnoreProcessingInstructions = true, IgnoreComments = true };
            using var reader = XmlReader.Create(new StringReader(text), settings);
            doc = XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (XmlException ex) when (ex.Message.Contains("DTD", StringComparison.OrdinalIgnoreCase))
        {
            return SanitizedSvg.Refuse($"{source}:{ex.LineNumber}:{ex.LinePosition}: a DOCTYPE (or entity declarations) is not allowed in a floor plan; save it as plain SVG");
        }
        catch (XmlException ex)
        {
            return SanitizedSvg.Refuse($"{source}:{ex.LineNumber}:{ex.LinePosition}: not well-formed XML: {ex.Message}");
        }

        if (doc.Root is not { } root || root.Name != Svg + "svg")
        {
            return SanitizedSvg.Refuse($"{source}: the root element is <{doc.Root?.Name.LocalName}> (namespace '{doc.Root?.Name.NamespaceName}'), not an SVG <svg> element");
        }

        var removed = new List<string>();
        var clean = CleanElement(root, source, removed)!;
        if (clean.Attribute("viewBox") is null && Number(clean.Attribute("width")) is { } w && Number(clean.Attribute("height")) is { } h)
        {
            clean.SetAttributeValue("viewBox", $"0 0 {w.ToString(System.Globalization.CultureInfo.InvariantCulture)} {h.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        }

        // The page sizes the plan to its column; the viewBox keeps the proportions.
        clean.SetAttributeValue("width", null);
        clean.SetAttributeValue("height", null);
        return new SanitizedSvg(clean, removed, null);
    }

    private static XElement? CleanElement(XElement e, string source, List<string> removed)
    {
        if (e.Name.Namespace != Svg)
        {
            if (!QuietNamespaces.Contains(e.Name.NamespaceName))
            {
                removed.Add($"{Where(e, source)}: element <{e.Name.LocalName}> removed (not SVG)");
            }

            return null;
        }

        if (!Elements.Contains(e.Name.LocalName))
        {
            if (e.Name.LocalName is not "metadata")
            {
                removed.Add($"{Where(e, source)}: element <{e.Name.LocalName}> removed{Why(e.Name.LocalName)}");
            }

            return null;
        }

        var clean = new XElement(Svg + e.Name.LocalName);
        foreach (var a in e.Attributes())
        {
            if (a.IsNamespaceDeclaration)
            {
                continue;
            }

            var name = a.Name.LocalName;
            var isHref = name == "href" && (a.Name.Namespace == XLink || a.Name.Namespace == XNamespace.None);
            if (isHref)
            {
                if (e.Name.LocalName == "use" && a.Value.StartsWith('#'))
                {
                    clean.SetAttributeValue("href", a.Value);
                }
                else
                {
                    removed.Add($"{Where(e, source)}: href=\"{Short(a.Value)}\" on <{e.Name.LocalName}> removed (only links to a shape in the same file, on <use>, are kept)");
                }

                continue;
            }

            if (a.Name.Namespace != XNamespace.None)
            {
                continue; // xml:space, editors' attributes: nothing that draws
            }

            if (name.StartsWith("on", StringComparison.OrdinalIgnoreCase))
            {
                removed.Add($"{Where(e, source)}: event handler {name} on <{e.Name.LocalName}> removed");
                continue;
            }

            if (!Attributes.Contains(name))
            {
                continue;
            }

            if (Unsafe(a.Value) is { } why)
            {
                removed.Add($"{Where(e, source)}: {name}=\"{Short(a.Value)}\" on <{e.Name.LocalName}> removed ({why})");
                continue;
            }

            clean.SetAttributeValue(name, a.Value);
        }

        foreach (var node in e.Nodes())
        {
            switch (node)
            {
                case XElement child when CleanElement(child, source, removed) is { } c:
                    clean.Add(c);
                    break;
                case XText text when e.Name.LocalName is "text" or "tspan" or "title" or "desc":
                    clean.Add(new XText(text.Value));
                    break;
            }
        }

        return clean;
    }

    /// <summary>Why a value may not stay, or null: references outside the file and CSS tricks that could hide them.</summary>
    private static string? Unsafe(string value)
    {
        if (value.Contains('\\', StringComparison.Ordinal))
        {
            return "CSS escapes are not allowed";
        }

        var lower = value.ToLowerInvariant();
        if (lower.Contains("javascript:", StringComparison.Ordinal) || lower.Contains("expression(", StringComparison.Ordinal) || lower.Contains("@import", StringComparison.Ordinal))
        {
            return "script or import";
        }

        for (var i = lower.IndexOf("url(", StringComparison.Ordinal); i >= 0; i = lower.IndexOf("url(", i + 4, StringComparison.Ordinal))
        {
            var target = lower.AsSpan(i + 4).TrimStart().TrimStart("'\"");
            if (!target.StartsWith("#"))
            {
                return "an external reference: only url(#id) is allowed";
            }
        }

        return null;
    }

    private static string Why(string element) => element switch
    {
        "script" => " (scripts never run in a floor plan)",
        "foreignObject" or "iframe" or "object" or "embed" => " (embedded content is not allowed)",
        "image" or "feImage" => " (images would load from outside the file)",
        "a" => " (the page links each zone to its place itself)",
        "style" => " (style sheets would restyle the whole page: use presentation attributes such as fill)",
        "animate" or "set" or "animateTransform" or "animateMotion" => " (animations can rewrite links)",
        _ => " (not on the list of drawing elements a floor plan may use)",
    };

    private static string Where(XElement e, string source) =>
        e is IXmlLineInfo info && info.HasLineInfo() ? $"{source}:{info.LineNumber}:{info.LinePosition}" : source;

    private static string Short(string value) => value.Length <= 60 ? value : value[..57] + "...";

    private static double? Number(XAttribute? a) =>
        a is not null && double.TryParse(a.Value.TrimEnd('p', 'x'), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0 ? v : null;
}
