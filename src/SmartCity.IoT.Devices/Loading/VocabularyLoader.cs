using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Core.Model;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Devices.Loading;

/// <summary>Reads devices/vocabulary.yaml: the one list of canonical field names, units, types, ranges and unit conversions.</summary>
internal static class VocabularyLoader
{
    internal static readonly string[] FieldKeys = ["unit", "type", "min", "max", "values", "decimals", "description", "unit_aliases", "conversions", "typical", "anomaly", "counter"];

    public static (FieldVocabulary Vocabulary, Dictionary<string, VocabularyEntry> Entries) Load(string path, string displayPath, List<Diagnostic> errors)
    {
        var entries = new Dictionary<string, VocabularyEntry>(StringComparer.Ordinal);
        var definitions = new List<FieldDefinition>();
        if (!File.Exists(path))
        {
            errors.Add(new Diagnostic(displayPath, 1, 1, "the vocabulary file is missing (create devices/vocabulary.yaml)"));
            return (new FieldVocabulary([]), entries);
        }

        var file = YamlSource.Load(path, displayPath, errors);
        if (file.Root is null)
        {
            if (file.IsEmpty)
            {
                file.Error(null, "the file is empty");
            }

            return (new FieldVocabulary([]), entries);
        }

        if (file.AsMap(file.Root, "the vocabulary") is not { } root)
        {
            return (new FieldVocabulary([]), entries);
        }

        file.CheckKeys(root, "the vocabulary", "fields");
        if (file.AsMap(YamlSource.Get(root, "fields") ?? root, "'fields'") is not { } fields)
        {
            return (new FieldVocabulary([]), entries);
        }

        foreach (var (keyNode, valueNode) in fields.Children)
        {
            var name = YamlSource.KeyName(keyNode);
            var what = $"vocabulary field '{name}'";
            if (!IsSnakeCase(name))
            {
                file.Error(keyNode, $"field name '{name}' must be snake_case (lower-case letters, digits, '_')");
                continue;
            }

            if (file.AsMap(valueNode, what) is not { } m)
            {
                continue;
            }

            file.CheckKeys(m, what, FieldKeys);
            var typeText = file.Str(m, "type", what) ?? "float";
            if (!Enum.TryParse<FieldType>(typeText, ignoreCase: true, out var type) || typeText.Any(char.IsDigit))
            {
                file.Error(YamlSource.Get(m, "type"), $"{what}: type '{typeText}' must be float, integer, boolean or enum");
                continue;
            }

            var unit = file.Str(m, "unit", what) ?? "";
            var values = file.StrList(m, "values", what) ?? [];
            double min, max;
            if (type == FieldType.Enum)
            {
                if (values.Count == 0)
                {
                    file.Error(keyNode, $"{what}: an enum needs 'values: [a, b, ...]'");
                    continue;
                }

                (min, max) = (0, values.Count - 1);
            }
            else if (type == FieldType.Boolean)
            {
                (min, max) = (0, 1);
            }
            else
            {
                var mn = file.Num(m, "min", what, required: true);
                var mx = file.Num(m, "max", what, required: true);
                if (mn is null || mx is null)
                {
                    continue;
                }

                (min, max) = (mn.Value, mx.Value);
                if (min > max)
                {
                    file.Error(YamlSource.Get(m, "min"), $"{what}: min {min} is above max {max} (swap them)");
                    continue;
                }

                if (string.IsNullOrEmpty(unit))
                {
                    file.Error(keyNode, $"{what}: a {typeText} field needs a canonical 'unit' (use '1' for counts)");
                    continue;
                }
            }

            var units = new Dictionary<string, UnitConversion>(StringComparer.Ordinal);
            if (unit.Length > 0)
            {
                units[unit] = UnitConversion.Identity;
            }

            foreach (var alias in file.StrList(m, "unit_aliases", what) ?? [])
            {
                units[alias] = UnitConversion.Identity;
            }

            if (YamlSource.Get(m, "conversions") is { } convNode && file.AsMap(convNode, $"{what}: 'conversions'") is { } conversions)
            {
                foreach (var (ck, cv) in conversions.Children)
                {
                    var from = YamlSource.KeyName(ck);
                    var cwhat = $"{what}: conversion from '{from}'";
                    if (file.AsMap(cv, cwhat) is not { } cm)
                    {
                        continue;
                    }

                    file.CheckKeys(cm, cwhat, "factor", "offset", "aliases");
                    var conv = new UnitConversion(file.Num(cm, "factor", cwhat) ?? 1, file.Num(cm, "offset", cwhat) ?? 0);
                    if (conv.Factor == 0)
                    {
                        file.Error(cm, $"{cwhat}: factor must not be 0");
                    }

                    units[from] = conv;
                    foreach (var alias in file.StrList(cm, "aliases", cwhat) ?? [])
                    {
                        units[alias] = conv;
                    }
                }
            }

            var typical = Pair(file, m, "typical", what, type) ?? DefaultTypical(min, max);
            var anomaly = Pair(file, m, "anomaly", what, type, values);
            var decimals = (int?)file.Num(m, "decimals", what) ?? (type == FieldType.Float ? -1 : 0);
            var counter = file.Bool(m, "counter", what) ?? false;
            if (counter && type is not (FieldType.Float or FieldType.Integer))
            {
                file.Error(YamlSource.Get(m, "counter"), $"{what}: only a number can be a counter");
                counter = false;
            }

            var definition = new FieldDefinition(definitions.Count, name, unit, type, min, max, values.Count > 0 ? values : null, file.Str(m, "description", what), counter);
            definitions.Add(definition);
            entries[name] = new VocabularyEntry(definition, type == FieldType.Float ? decimals : -1, units, typical, anomaly, (int)keyNode.Start.Line);
        }

        return (new FieldVocabulary(definitions), entries);
    }

    private static (double, double)? Pair(YamlSource file, YamlMappingNode m, string key, string what, FieldType type, IReadOnlyList<string>? enumValues = null)
    {
        var node = YamlSource.Get(m, key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode s)
        {
            // enum/boolean anomalies name one value
            if (type == FieldType.Enum && enumValues is not null)
            {
                var i = enumValues.ToList().IndexOf(s.Value ?? "");
                if (i < 0)
                {
                    file.Error(node, $"{what}: '{key}: {s.Value}' is not one of its values");
                    return null;
                }

                return (i, i);
            }

            if (type == FieldType.Boolean && bool.TryParse(s.Value, out var b))
            {
                return (b ? 1 : 0, b ? 1 : 0);
            }
        }

        if (node is YamlSequenceNode { Children.Count: 2 } seq && file.Num(seq[0], $"{what}: '{key}'") is { } a && file.Num(seq[1], $"{what}: '{key}'") is { } c)
        {
            if (a > c)
            {
                file.Error(node, $"{what}: '{key}' [{a}, {c}] has its low value above its high value");
                return null;
            }

            return (a, c);
        }

        file.Error(node, $"{what}: '{key}' must be [low, high]");
        return null;
    }

    private static (double, double) DefaultTypical(double min, double max) => (min + (max - min) * 0.25, min + (max - min) * 0.5);

    internal static bool IsSnakeCase(string s) =>
        s.Length > 0 && char.IsAsciiLetterLower(s[0]) && s.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');
}
