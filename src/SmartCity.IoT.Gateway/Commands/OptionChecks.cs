using System.CommandLine;
using System.Globalization;

namespace SmartCity.IoT.Gateway.Commands;

/// <summary>Range and shape checks attached to options, so a bad value is refused at parse time naming the option.</summary>
internal static class OptionChecks
{
    public static Option<double> InRange(this Option<double> option, double min, double max, string? hint = null)
    {
        option.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<double>();
            if (double.IsNaN(v) || v < min || v > max)
            {
                r.AddError($"{option.Name} {Format(v)} is out of range: it must be between {Format(min)} and {Format(max)}{(hint is null ? "" : " (" + hint + ")")}.");
            }
        });
        return option;
    }

    public static Option<long> AtLeast(this Option<long> option, long min, string? hint = null)
    {
        option.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<long>();
            if (v < min)
            {
                r.AddError($"{option.Name} {v} is out of range: it must be {min} or more{(hint is null ? "" : " (" + hint + ")")}.");
            }
        });
        return option;
    }

    public static Option<int> InRange(this Option<int> option, int min, int max)
    {
        option.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<int>();
            if (v < min || v > max)
            {
                r.AddError($"{option.Name} {v} is out of range: it must be between {min} and {max}.");
            }
        });
        return option;
    }

    /// <summary>Only these values (case-insensitive), with a message that names the option and the choices.</summary>
    public static Option<string> OneOf(this Option<string> option, params string[] values)
    {
        option.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (!values.Contains(v, StringComparer.OrdinalIgnoreCase))
            {
                r.AddError($"{option.Name} '{v}' is not supported: use {string.Join(" or ", values)}.");
            }
        });
        return option;
    }

    /// <summary>Refuses a command line that gives more than one of <paramref name="options"/>.</summary>
    public static void OnlyOneOf(this Command command, params Option[] options)
    {
        command.Validators.Add(r =>
        {
            var given = options.Where(o => r.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
            if (given.Count > 1)
            {
                r.AddError($"{string.Join(" and ", given)} cannot be combined: give only one of {string.Join(", ", options.Select(o => o.Name))}.");
            }
        });
    }

    /// <summary>A duration as 90s, 5m, 2h, 1d or hh:mm:ss.</summary>
    public static TimeSpan? ParseDuration(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count == 0 ? "" : result.Tokens[0].Value.Trim();
        if (TryParseDuration(text, out var value) && value > TimeSpan.Zero)
        {
            return value;
        }

        result.AddError($"--duration '{text}' is not a positive duration: use e.g. 90s, 5m, 2h or 00:01:30.");
        return null;
    }

    internal static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = default;
        if (text.Length > 1 && char.IsAsciiLetter(text[^1]) && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0)
        {
            TimeSpan? parsed = text[^1] switch
            {
                's' => TimeSpan.FromSeconds(n),
                'm' => TimeSpan.FromMinutes(n),
                'h' => TimeSpan.FromHours(n),
                'd' => TimeSpan.FromDays(n),
                _ => null,
            };
            value = parsed ?? default;
            return parsed is not null;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>host:port (port 1..65535; without a port, <paramref name="defaultPort"/>).</summary>
    public static bool TryParseEndpoint(string text, int defaultPort, out string host, out int port)
    {
        var colon = text.LastIndexOf(':');
        host = colon < 0 ? text : text[..colon];
        port = defaultPort;
        return host.Length > 0 && !host.Contains(' ', StringComparison.Ordinal)
            && (colon < 0 || (int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535));
    }

    private static string Format(double v) => v.ToString(CultureInfo.InvariantCulture);
}
