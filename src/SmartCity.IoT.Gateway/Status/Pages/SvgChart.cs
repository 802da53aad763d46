using System.Globalization;
using System.Text;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Gateway.Status.Pages;

/// <summary>A field's recent values as an inline SVG line chart, with the rules' thresholds as dashed lines.</summary>
internal static class SvgChart
{
    private const int Width = 800;
    private const int Height = 170;
    private const int Left = 70;
    private const int Right = 10;
    private const int Top = 12;
    private const int Bottom = 24;
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static StringBuilder Append(StringBuilder h, FieldDefinition field, IReadOnlyList<(DateTimeOffset At, double Value)> points, IReadOnlyList<RuleThreshold> thresholds, DateTimeOffset now)
    {
        // From the device's first point: before it the gateway had not heard of it, which is not a silence to draw.
        var first = 0;
        while (first < points.Count && double.IsNaN(points[first].Value))
        {
            first++;
        }

        points = first == 0 ? points : points.Skip(first).ToList();
        var values = points.Where(p => !double.IsNaN(p.Value)).ToList();
        var unit = Humanize.Unit(field.Unit);
        h.Append("<figure class=\"chart\" data-field=\"").Append(Html.E(field.Name)).Append("\"><figcaption><b>").Append(Html.E(field.Name)).Append("</b>")
            .Append(unit.Length > 0 ? " (" + Html.E(unit) + ")" : "");
        if (values.Count > 0)
        {
            h.Append(" · now ").Append(Html.E(Humanize.Value(field, values[^1].Value))).Append(" · min ").Append(Html.E(Humanize.Value(field, values.Min(v => v.Value))))
                .Append(" · max ").Append(Html.E(Humanize.Value(field, values.Max(v => v.Value))));
        }

        h.Append("</figcaption>");
        if (values.Count == 0)
        {
            return h.Append("<p class=\"muted\">No values in the history yet.</p></figure>");
        }

        var from = points[0].At;
        var to = points[^1].At > from ? points[^1].At : from.AddSeconds(1);
        var lo = Math.Min(values.Min(v => v.Value), thresholds.Count > 0 ? thresholds.Min(t => t.Value) : double.MaxValue);
        var hi = Math.Max(values.Max(v => v.Value), thresholds.Count > 0 ? thresholds.Max(t => t.Value) : double.MinValue);
        if (hi - lo < 1e-9)
        {
            lo -= 1;
            hi += 1;
        }

        var pad = (hi - lo) * 0.08;
        lo -= pad;
        hi += pad;
        double X(DateTimeOffset t) => Left + (Width - Left - Right) * (t - from).TotalMilliseconds / (to - from).TotalMilliseconds;
        double Y(double v) => Top + (Height - Top - Bottom) * (hi - v) / (hi - lo);

        h.Append("<svg viewBox=\"0 0 ").Append(Width).Append(' ').Append(Height).Append("\" role=\"img\" aria-label=\"").Append(Html.E(field.Name))
            .Append(" from ").Append(Html.E(Humanize.Absolute(from))).Append(" to ").Append(Html.E(Humanize.Absolute(to))).Append("\">");
        // Axes and labels.
        h.Append("<line x1=\"").Append(Left).Append("\" y1=\"").Append(Top).Append("\" x2=\"").Append(Left).Append("\" y2=\"").Append(Height - Bottom).Append("\" stroke=\"#8c959f\"/>")
            .Append("<line x1=\"").Append(Left).Append("\" y1=\"").Append(Height - Bottom).Append("\" x2=\"").Append(Width - Right).Append("\" y2=\"").Append(Height - Bottom).Append("\" stroke=\"#8c959f\"/>");
        Label(h, 4, Y(hi - pad) + 4, Humanize.Number(hi - pad), "start");
        Label(h, 4, Y(lo + pad) + 4, Humanize.Number(lo + pad), "start");
        Label(h, Left, Height - 6, Humanize.Relative(from, now), "start");
        Label(h, Width - Right, Height - 6, Humanize.Relative(to, now), "end");

        foreach (var t in thresholds)
        {
            var colour = t.Severity switch
            {
                Core.Alerting.AlertSeverity.Critical => "#cf222e",
                Core.Alerting.AlertSeverity.Major => "#fb8f44",
                Core.Alerting.AlertSeverity.Warning => "#d4a72c",
                _ => "#54aeff",
            };
            var y = F(Y(t.Value));
            h.Append("<g class=\"threshold\" data-value=\"").Append(F(t.Value)).Append("\"><line x1=\"").Append(Left).Append("\" x2=\"").Append(Width - Right)
                .Append("\" y1=\"").Append(y).Append("\" y2=\"").Append(y).Append("\" stroke=\"").Append(colour).Append("\" stroke-dasharray=\"6 4\"/>");
            Label(h, Width - Right - 4, Y(t.Value) - 4, $"{t.Rule}: {t.Field} {t.Operator} {Humanize.Number(t.Value)} ({t.Severity.ToString().ToLowerInvariant()})", "end", colour);
            h.Append("</g>");
        }

        // The line, broken where the device was silent; a dot per point.
        var segment = new StringBuilder();
        foreach (var (at, v) in points)
        {
            if (double.IsNaN(v))
            {
                Flush(h, segment);
                continue;
            }

            segment.Append(F(X(at))).Append(',').Append(F(Y(v))).Append(' ');
        }

        Flush(h, segment);
        foreach (var (at, v) in values)
        {
            h.Append("<circle class=\"pt\" r=\"2\" cx=\"").Append(F(X(at))).Append("\" cy=\"").Append(F(Y(v))).Append("\" fill=\"#0969da\"><title>")
                .Append(Html.E(Humanize.Value(field, v))).Append(" at ").Append(Html.E(Humanize.Absolute(at))).Append("</title></circle>");
        }

        return h.Append("</svg></figure>");
    }

    private static void Flush(StringBuilder h, StringBuilder segment)
    {
        if (segment.Length > 0)
        {
            h.Append("<polyline fill=\"none\" stroke=\"#0969da\" stroke-width=\"1.5\" points=\"").Append(segment.ToString().TrimEnd()).Append("\"/>");
            segment.Clear();
        }
    }

    private static void Label(StringBuilder h, double x, double y, string text, string anchor, string colour = "#57606a") =>
        h.Append("<text x=\"").Append(F(x)).Append("\" y=\"").Append(F(y)).Append("\" font-size=\"11\" fill=\"").Append(colour).Append("\" text-anchor=\"").Append(anchor).Append("\">")
            .Append(Html.E(text)).Append("</text>");

    private static string F(double v) => v.ToString("0.#", C);
}
