using System.Net;
using System.Text;

namespace SmartCity.IoT.Gateway.Status.Pages;

/// <summary>Encoding helpers for the server-rendered pages: every text from outside goes through <see cref="E"/>.</summary>
internal static class Html
{
    public static string E(string? s) => WebUtility.HtmlEncode(s ?? "");

    /// <summary>A query-string value.</summary>
    public static string Q(string? s) => Uri.EscapeDataString(s ?? "");

    public static string DeviceHref(string profile, string device) => $"/device?profile={Q(profile)}&id={Q(device)}";

    public static string AlertHref(string fingerprint) => "/alerts/" + Q(fingerprint);

    /// <summary>The hidden antiforgery field every form carries.</summary>
    public static StringBuilder Antiforgery(this StringBuilder h, PageRequest request) =>
        h.Append("<input type=\"hidden\" name=\"").Append(E(request.TokenField)).Append("\" value=\"").Append(E(request.Token)).Append("\">");

    /// <summary>A form with one button, posting to <paramref name="action"/> and coming back to <paramref name="back"/>.</summary>
    public static StringBuilder ButtonForm(this StringBuilder h, PageRequest request, string action, string label, string back, string? extraFields = null) =>
        h.Append("<form method=\"post\" class=\"inline\" action=\"").Append(E(action)).Append("\">").Antiforgery(request)
            .Append("<input type=\"hidden\" name=\"back\" value=\"").Append(E(back)).Append("\">").Append(extraFields ?? "")
            .Append("<button type=\"submit\">").Append(E(label)).Append("</button></form>");
}
