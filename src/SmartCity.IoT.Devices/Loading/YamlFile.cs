using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Devices.Loading;

/// <summary>
/// A parsed YAML file read through its node tree, so every error carries the line and column of the offending node.
/// Off the hot path: written for clear messages, not speed.
/// </summary>
internal sealed class YamlFile
{
    private readonly List<CatalogError> _errors;

    private YamlFile(string displayPath, YamlNode? root, List<CatalogError> errors)
    {
        DisplayPath = displayPath;
        Root = root;
        _errors = errors;
    }

    public string DisplayPath { get; }

    public YamlNode? Root { get; }

    public static YamlFile Load(string path, string displayPath, List<CatalogError> errors)
    {
        try
        {
            using var reader = new StreamReader(path);
            var stream = new YamlStream();
            stream.Load(reader);
            var root = stream.Documents.Count > 0 ? stream.Documents[0].RootNode : null;
            if (root is null)
            {
                errors.Add(new CatalogError(displayPath, 1, 1, "the file is empty"));
            }

            return new YamlFile(displayPath, root, errors);
        }
        catch (YamlException e)
        {
            var message = e.InnerException?.Message ?? e.Message;
            errors.Add(new CatalogError(displayPath, (int)Math.Max(1, e.Start.Line), (int)Math.Max(1, e.Start.Column), "invalid YAML: " + message));
            return new YamlFile(displayPath, null, errors);
        }
    }

    public void Error(YamlNode? node, string message) =>
        _errors.Add(new CatalogError(DisplayPath, node is null ? 1 : (int)node.Start.Line, node is null ? 1 : (int)node.Start.Column, message));

    public YamlMappingNode? AsMap(YamlNode? node, string what)
    {
        if (node is YamlMappingNode m)
        {
            return m;
        }

        Error(node, $"{what} must be a mapping (key: value lines)");
        return null;
    }

    public YamlSequenceNode? AsSeq(YamlNode? node, string what)
    {
        if (node is YamlSequenceNode s)
        {
            return s;
        }

        Error(node, $"{what} must be a list (lines starting with '- ')");
        return null;
    }

    public static YamlNode? Get(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    public YamlNode KeyNode(YamlMappingNode map, string key)
    {
        foreach (var k in map.Children.Keys)
        {
            if (k is YamlScalarNode s && s.Value == key)
            {
                return k;
            }
        }

        return map;
    }

    /// <summary>Reports keys not in <paramref name="allowed"/>, suggesting the closest one.</summary>
    public void CheckKeys(YamlMappingNode map, string what, params string[] allowed)
    {
        foreach (var k in map.Children.Keys)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (Array.IndexOf(allowed, name) < 0)
            {
                var hint = Suggest.Closest(name, allowed);
                Error(k, $"unknown key '{name}' in {what} ({(hint is null ? "allowed: " + string.Join(", ", allowed) : $"did you mean '{hint}'?")})");
            }
        }
    }

    public string? Str(YamlMappingNode map, string key, string what, bool required = false)
    {
        var node = Get(map, key);
        if (node is null)
        {
            if (required)
            {
                Error(map, $"{what} is missing '{key}' (add '{key}: ...')");
            }

            return null;
        }

        if (node is YamlScalarNode s)
        {
            return s.Value;
        }

        Error(node, $"'{key}' in {what} must be a single value");
        return null;
    }

    public double? Num(YamlMappingNode map, string key, string what, bool required = false)
    {
        var node = Get(map, key);
        if (node is null)
        {
            if (required)
            {
                Error(map, $"{what} is missing '{key}'");
            }

            return null;
        }

        return Num(node, $"'{key}' in {what}");
    }

    public double? Num(YamlNode node, string what)
    {
        if (node is YamlScalarNode { Value: { } v } && TryNumber(v, out var d))
        {
            return d;
        }

        Error(node, $"{what} must be a number, got '{(node as YamlScalarNode)?.Value ?? node.NodeType.ToString()}'");
        return null;
    }

    public bool? Bool(YamlMappingNode map, string key, string what)
    {
        var node = Get(map, key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } v } && bool.TryParse(v, out var b))
        {
            return b;
        }

        Error(node, $"'{key}' in {what} must be true or false");
        return null;
    }

    public IReadOnlyList<string>? StrList(YamlMappingNode map, string key, string what)
    {
        var node = Get(map, key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode s)
        {
            return [s.Value ?? ""];
        }

        if (AsSeq(node, $"'{key}' in {what}") is not { } seq)
        {
            return null;
        }

        var list = new List<string>();
        foreach (var item in seq)
        {
            if (item is YamlScalarNode si)
            {
                list.Add(si.Value ?? "");
            }
            else
            {
                Error(item, $"items of '{key}' in {what} must be single values");
            }
        }

        return list;
    }

    public static bool TryNumber(string text, out double value)
    {
        text = text.Trim().Replace("_", "", StringComparison.Ordinal);
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            var ok = long.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex);
            value = hex;
            return ok;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }
}
