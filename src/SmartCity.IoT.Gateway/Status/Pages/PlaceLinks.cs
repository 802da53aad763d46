using System.Text;
using SmartCity.IoT.Core.Places;

namespace SmartCity.IoT.Gateway.Status.Pages;

/// <summary>Links to the building model's places: place pages, floor views, the breadcrumb above both.</summary>
internal static class PlaceLinks
{
    public static string PlaceHref(string id) => "/place/" + Html.Q(id);

    public static string FloorHref(string id, string? colour = null) => "/floor/" + Html.Q(id) + (colour is null or "alerts" ? "" : "?colour=" + Html.Q(colour));

    /// <summary>The floor whose plan shows <paramref name="place"/>: itself or its nearest ancestor with a <c>floor_plan</c>.</summary>
    public static Place? PlanFloor(Place place) => place.SelfAndAncestors().FirstOrDefault(p => p.FloorPlan is not null);

    /// <summary>Buildings › site › building › floor, each a link to its place page.</summary>
    public static StringBuilder Breadcrumb(StringBuilder h, Place place, bool linkSelf)
    {
        h.Append("<nav aria-label=\"place\" class=\"muted\"><a href=\"/\">Buildings</a>");
        foreach (var p in place.SelfAndAncestors().Reverse())
        {
            h.Append(" › ");
            if (p == place && !linkSelf)
            {
                h.Append("<span aria-current=\"page\">").Append(Html.E(p.Name)).Append("</span>");
            }
            else
            {
                h.Append("<a href=\"").Append(PlaceHref(p.Id)).Append("\">").Append(Html.E(p.Name)).Append("</a>");
            }
        }

        return h.Append("</nav>");
    }
}
