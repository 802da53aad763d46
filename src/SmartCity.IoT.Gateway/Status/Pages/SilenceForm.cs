using System.Text;

namespace SmartCity.IoT.Gateway.Status.Pages;

/// <summary>The form that creates a silence (from an alert's labels, or from matchers typed in) for a chosen duration.</summary>
internal static class SilenceForm
{
    public static readonly (string Value, string Label)[] Durations = 
    [
        ("00:30:00", "30 minutes"), ("01:00:00", "1 hour"), ("02:00:00", "2 hours"), ("04:00:00", "4 hours"), ("08:00:00", "8 hours"), ("1.00:00:00", "1 day"), ("7.00:00:00", "7 days"),
    ];

    public static StringBuilder Append(StringBuilder h, PageRequest request, IReadOnlyList<string> matchers, string heading)
    {
        h.Append("<form method=\"post\" action=\"/silences\" class=\"silence-form\" style=\"background:#fff;border:1px solid #d8dee4;border-radius:6px;padding:.6rem\">")
            .Antiforgery(request).Append("<input type=\"hidden\" name=\"back\" value=\"").Append(Html.E(request.PathAndQuery)).Append("\"><b>").Append(Html.E(heading)).Append("</b><br>")
            .Append("<label>Matchers, one per line (<code>name=\"value\"</code>, <code>!=</code>, <code>=~</code> regex)<br><textarea name=\"matchers\" rows=\"3\" cols=\"50\" required>")
            .Append(Html.E(string.Join('\n', matchers))).Append("</textarea></label><br><label>For <select name=\"duration\">");
        foreach (var (value, label) in Durations)
        {
            h.Append("<option value=\"").Append(value).Append('"').Append(value == "02:00:00" ? " selected" : "").Append('>').Append(label).Append("</option>");
        }

        return h.Append("</select></label> <label>why <input name=\"comment\" size=\"30\"></label> ")
            .Append("<button type=\"submit\">Create silence</button></form>");
    }
}
