using System.Globalization;
using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Gateway.Status.Pages;

/// <summary>Values as people read them: units from the vocabulary in their usual signs, sizes in KiB/MiB, times relative and absolute.</summary>
internal static class Humanize
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>The unit's usual sign; "" for dimensionless counts (the vocabulary's "1").</summary>
    public static string Unit(string unit) => unit switch
    {
        "1" or "" => "",
        "degC" => "°C",
        "degF" => "°F",
        "deg" => "°",
        "ug/m3" => "µg/m³",
        "mg/m3" => "mg/m³",
        "um" => "µm",
        "uS/cm" => "µS/cm",
        _ => unit,
    };

    /// <summary>A field's value with its unit: enum names and booleans as words, integers without decimals.</summary>
    public static string Value(FieldDefinition field, double value)
    {
        if (double.IsNaN(value))
        {
            return "–";
        }

        if (field.TextOf(value) is { } text)
        {
            return text;
        }

        var number = field.Type == FieldType.Integer ? Math.Round(value).ToString("N0", C) : Number(value);
        var unit = Unit(field.Unit);
        return unit.Length == 0 ? number : number + " " + unit;
    }

    /// <summary>Up to three significant decimals, no trailing zeros.</summary>
    public static string Number(double value) =>
        !double.IsFinite(value) ? "–" : Math.Abs(value) >= 100 ? Math.Round(value, 1).ToString("#,0.#", C) : Math.Round(value, 2).ToString("0.##", C);

    public static string Count(long n) => n.ToString("N0", C);

    /// <summary>Bytes in B, KiB, MiB or GiB.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => bytes.ToString(C) + " B",
        < 1024 * 1024 => (bytes / 1024d).ToString("0.#", C) + " KiB",
        < 1024L * 1024 * 1024 => (bytes / (1024d * 1024)).ToString("0.#", C) + " MiB",
        _ => (bytes / (1024d * 1024 * 1024)).ToString("0.##", C) + " GiB",
    };

    /// <summary>"3 min ago" / "in 2 h": the span from <paramref name="now"/>.</summary>
    public static string Relative(DateTimeOffset at, DateTimeOffset now)
    {
        var d = now - at;
        var future = d < TimeSpan.Zero;
        var abs = future ? -d : d;
        return abs < TimeSpan.FromSeconds(1) ? "just now" : future ? "in " + Span(abs) : Span(abs) + " ago";
    }

    /// <summary>A duration in its largest sensible units: "45 s", "12 min", "3 h 5 min", "2 d 4 h".</summary>
    public static string Span(TimeSpan d) => d.TotalSeconds switch
    {
        < 1 => $"{(int)d.TotalMilliseconds} ms",
        < 60 => $"{(int)d.TotalSeconds} s",
        < 3600 => $"{(int)d.TotalMinutes} min",
        < 86400 => d.Minutes == 0 ? $"{(int)d.TotalHours} h" : $"{(int)d.TotalHours} h {d.Minutes} min",
        _ => d.Hours == 0 ? $"{(int)d.TotalDays} d" : $"{(int)d.TotalDays} d {d.Hours} h",
    };

    /// <summary>UTC, to the second.</summary>
    public static string Absolute(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", C) + " UTC";

    /// <summary>A <c>&lt;time&gt;</c> element: relative text, the absolute time as its title and datetime.</summary>
    public static string Time(DateTimeOffset at, DateTimeOffset now) =>
        $"<time datetime=\"{at.UtcDateTime.ToString("O", C)}\" title=\"{Absolute(at)}\">{Html.E(Relative(at, now))}</time>";

    /// <summary>Relative and absolute, both visible (for timelines).</summary>
    public static string TimeBoth(DateTimeOffset at, DateTimeOffset now) =>
        $"<time datetime=\"{at.UtcDateTime.ToString("O", C)}\">{Html.E(Absolute(at))}</time> <span class=\"muted\">({Html.E(Relative(at, now))})</span>";
}
