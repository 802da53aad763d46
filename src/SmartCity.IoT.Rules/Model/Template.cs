using System.Globalization;
using System.Text;
using SmartCity.IoT.Rules.Language;

namespace SmartCity.IoT.Rules.Model;

/// <summary>
/// A label or annotation template: text with <c>{{ name }}</c> or <c>{{ name:format }}</c> holes.
/// Names: <c>value</c>, <c>severity</c>, <c>alertname</c>/<c>rule</c>, <c>device</c>, <c>family</c>, <c>profile</c>,
/// any vocabulary field (its latest value; enum fields render their value name, booleans true/false), otherwise a device
/// tag (empty when the device lacks it). <c>value</c> of an enum or boolean field renders the same way.
/// Numbers use invariant culture; the default format is <c>0.##</c>; a format is any .NET numeric format (<c>F1</c>, <c>0</c>).
/// </summary>
public sealed class Template
{
    private static readonly HashSet<string> Builtins = ["value", "severity", "alertname", "rule", "device", "family", "profile"];
    private readonly List<(string? Literal, string? Name, string? Format)> _parts;

    private Template(string text, List<(string?, string?, string?)> parts)
    {
        Text = text;
        _parts = parts;
    }

    public string Text { get; }

    public static Template Parse(string text)
    {
        var parts = new List<(string?, string?, string?)>();
        var i = 0;
        while (i < text.Length)
        {
            var open = text.IndexOf("{{", i, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add((text[i..], null, null));
                break;
            }

            if (open > i)
            {
                parts.Add((text[i..open], null, null));
            }

            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new RuleSyntaxException(open, "'{{' without a closing '}}'");
            }

            var inner = text[(open + 2)..close].Trim();
            string? format = null;
            var colon = inner.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                format = inner[(colon + 1)..].Trim();
                inner = inner[..colon].Trim();
            }

            if (inner.Length == 0 || !inner.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
            {
                throw new RuleSyntaxException(open, $"'{{{{ {inner} }}}}' is not a name: use value, severity, device, a field or a tag name");
            }

            if (inner.StartsWith("tags.", StringComparison.Ordinal))
            {
                inner = inner[5..];
            }

            parts.Add((null, inner, format));
            i = close + 2;
        }

        return new Template(text, parts);
    }

    public string Render(TemplateContext ctx)
    {
        var sb = new StringBuilder();
        foreach (var (literal, name, format) in _parts)
        {
            if (literal is not null)
            {
                sb.Append(literal);
                continue;
            }

            switch (name)
            {
                case "value":
                    if (ctx.ValueText is { } text)
                    {
                        sb.Append(text);
                    }
                    else
                    {
                        AppendNumber(sb, ctx.Value, format);
                    }

                    break;
                case "severity":
                    sb.Append(ctx.Severity.ToString().ToLowerInvariant());
                    break;
                case "alertname" or "rule":
                    sb.Append(ctx.RuleName);
                    break;
                case "device":
                    sb.Append(ctx.DeviceId);
                    break;
                case "family":
                    sb.Append(ctx.Family);
                    break;
                case "profile":
                    sb.Append(ctx.ProfileId);
                    break;
                default:
                    if (name!.StartsWith("place.", StringComparison.Ordinal))
                    {
                        PlaceLabels.Render(sb, ctx.Place, name[6..], format);
                    }
                    else if (ctx.Vocabulary.TryGet(name!, out var field))
                    {
                        var v = ctx.Latest is null ? double.NaN : ctx.Latest[field.Id];
                        if (field.TextOf(v) is { } terms)
                        {
                            sb.Append(terms);
                        }
                        else
                        {
                            AppendNumber(sb, v, format);
                        }
                    }
                    else
                    {
                        foreach (var kv in ctx.Tags)
                        {
                            if (kv.Key == name)
                            {
                                sb.Append(kv.Value);
                                break;
                            }
                        }
                    }

                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>Names used by the template that are neither built-ins nor fields: taken as tags.</summary>
    public IEnumerable<string> Names => _parts.Where(p => p.Name is not null).Select(p => p.Name!);

    public static bool IsBuiltin(string name) => Builtins.Contains(name);

    internal static void AppendNumber(StringBuilder sb, double value, string? format)
    {
        if (double.IsNaN(value))
        {
            sb.Append("NaN");
            return;
        }

        try
        {
            sb.Append(value.ToString(string.IsNullOrEmpty(format) ? "0.##" : format, CultureInfo.InvariantCulture));
        }
        catch (FormatException)
        {
            sb.Append(value.ToString("0.##", CultureInfo.InvariantCulture));
        }
    }
}
