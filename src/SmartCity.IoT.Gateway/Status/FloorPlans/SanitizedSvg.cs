using System.Xml.Linq;

namespace SmartCity.IoT.Gateway.Status.FloorPlans;

/// <summary>A floor plan after <see cref="SvgSanitizer"/>: the clean drawing and what was removed from it, or why it was refused.</summary>
/// <param name="Root">The clean &lt;svg&gt; element, or null when refused. Shared: copy it before changing it.</param>
/// <param name="Removed">One message per removed element or attribute, with file:line:col.</param>
/// <param name="Refused">Why the whole file was refused, or null.</param>
internal sealed record SanitizedSvg(XElement? Root, IReadOnlyList<string> Removed, string? Refused)
{
    public static SanitizedSvg Refuse(string why) => new(null, [], why);
}
