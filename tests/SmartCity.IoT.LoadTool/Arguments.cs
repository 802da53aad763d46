using System.Globalization;

namespace SmartCity.IoT.LoadTool;

/// <summary>`--name value` pairs; every lookup names the option it failed on.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string> _values;

    private Arguments(Dictionary<string, string> values) => _values = values;

    public static Arguments Parse(ReadOnlySpan<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected '--name value' at '{args[i]}'");
            }

            values[args[i][2..]] = args[i + 1];
        }

        return new Arguments(values);
    }

    public string Text(string name, string? fallback = null) =>
        _values.TryGetValue(name, out var value) ? value : fallback ?? throw new ArgumentException($"--{name} is required");

    public long Number(string name, long? fallback = null)
    {
        if (!_values.TryGetValue(name, out var value))
        {
            return fallback ?? throw new ArgumentException($"--{name} is required");
        }

        return long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ArgumentException($"--{name} must be a whole number, got '{value}'");
    }

    public double Real(string name, double fallback) =>
        !_values.TryGetValue(name, out var value) ? fallback
        : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x
        : throw new ArgumentException($"--{name} must be a number, got '{value}'");

    public (string Host, int Port) Broker()
    {
        var text = Text("broker");
        var colon = text.LastIndexOf(':');
        return colon > 0 && int.TryParse(text.AsSpan(colon + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var port)
            ? (text[..colon], port)
            : throw new ArgumentException($"--broker must be host:port, got '{text}'");
    }
}
