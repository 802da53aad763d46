using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Core.Loading;

/// <summary>
/// One YAML (or JSON) file read into its node tree, so every problem is reported with the line and column of the node at
/// fault. A syntax error becomes a <see cref="Diagnostic"/> like any other, never an exception. Off the hot path: written for
/// clear messages, not speed.
/// </summary>
public sealed class YamlSource
{
    private readonly List<Diagnostic> _diagnostics;
    private readonly string[] _lines;

    private YamlSource(string file, string text, YamlNode? root, bool isEmpty, List<Diagnostic> diagnostics)
    {
        File = file;
        Root = root;
        IsEmpty = isEmpty;
        _lines = text.Split('\n');
        _diagnostics = diagnostics;
    }

    /// <summary>The name used in diagnostics.</summary>
    public string File { get; }

    /// <summary>The document's root node; null when the file is empty or not valid YAML (then a diagnostic says why).</summary>
    public YamlNode? Root { get; }

    /// <summary>The file holds no document, or only an empty value.</summary>
    public bool IsEmpty { get; }

    /// <summary>Reads and parses <paramref name="path"/>; <paramref name="displayPath"/> names it in diagnostics.</summary>
    public static YamlSource Load(string path, string displayPath, List<Diagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        string text;
        try
        {
            text = System.IO.File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Add(new Diagnostic(displayPath, 1, 1, $"cannot read the file: {e.Message}"));
            return new YamlSource(displayPath, "", null, isEmpty: false, diagnostics);
        }

        return Parse(text, displayPath, diagnostics);
    }

    /// <summary>Parses <paramref name="text"/>; problems go to <paramref name="diagnostics"/> under <paramref name="file"/>.</summary>
    public static YamlSource Parse(string text, string file, List<Diagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var scanner = new Scanner(new StringReader(text));
        var parser = new FlowTrackingParser(new Parser(scanner));
        var stream = new YamlStream();
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            diagnostics.Add(SyntaxError(file, text, e.Start, Detail(e), parser));
            return new YamlSource(file, text, null, isEmpty: false, diagnostics);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner gives up this way on some broken input (an unclosed '{' before a list item): it has no
            // position, so use where the scanner stopped.
            diagnostics.Add(SyntaxError(file, text, scanner.CurrentPosition, "the YAML reader could not continue here", parser));
            return new YamlSource(file, text, null, isEmpty: false, diagnostics);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return new YamlSource(file, text, null, isEmpty: true, diagnostics);
        }

        var source = new YamlSource(file, text, stream.Documents[0].RootNode, isEmpty: false, diagnostics);
        if (stream.Documents.Count > 1)
        {
            source.Error(stream.Documents[1].RootNode, "a file holds one YAML document; remove the second '---' and what follows, or move it to its own file");
        }

        return source.CheckKeysArePlain() ? source : new YamlSource(file, text, null, isEmpty: false, diagnostics);
    }

    /// <summary>The text of a mapping key (every key is a plain value once <see cref="Parse"/> accepted the file).</summary>
    public static string KeyName(YamlNode key) => (key as YamlScalarNode)?.Value ?? "";

    public static YamlNode? Get(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    public static bool TryNumber(string text, out double value)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim().Replace("_", "", StringComparison.Ordinal);
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            var ok = long.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex);
            value = hex;
            return ok;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    public void Error(YamlNode? node, string message, string? suggestion = null) =>
        Error(node?.Start ?? new Mark(0, 1, 1), message, suggestion);

    public void Error(Mark mark, string message, string? suggestion = null) =>
        _diagnostics.Add(new Diagnostic(File, (int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column), message, suggestion));

    /// <summary>
    /// Reports a problem at <paramref name="offset"/> inside the value of <paramref name="node"/> (an expression or a template),
    /// translated to the file's line and column for each scalar style.
    /// </summary>
    public void ErrorAt(YamlScalarNode node, int offset, string message)
    {
        ArgumentNullException.ThrowIfNull(node);
        var line = (int)node.Start.Line;
        var column = (int)node.Start.Column;
        var value = node.Value ?? "";
        offset = Math.Clamp(offset, 0, value.Length);
        switch (node.Style)
        {
            case ScalarStyle.Literal or ScalarStyle.Folded:
                // Block scalars start on the next line; find the offset's line in the raw text.
                var before = value[..offset];
                var lineInBlock = before.Count(c => c == '\n');
                var col = offset - (before.LastIndexOf('\n') + 1);
                line = line + 1 + lineInBlock;
                var raw = line - 1 < _lines.Length ? _lines[line - 1] : "";
                column = raw.Length - raw.TrimStart().Length + col + 1;
                break;
            case ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted:
                column += 1 + offset;
                break;
            default:
                column += offset;
                break;
        }

        _diagnostics.Add(new Diagnostic(File, line, column, message));
    }

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

    /// <summary>The node of <paramref name="key"/> itself (for errors about the key), or the map when it is absent.</summary>
    public static YamlNode KeyNode(YamlMappingNode map, string key)
    {
        ArgumentNullException.ThrowIfNull(map);
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
        ArgumentNullException.ThrowIfNull(map);
        foreach (var k in map.Children.Keys)
        {
            var name = KeyName(k);
            if (Array.IndexOf(allowed, name) >= 0)
            {
                continue;
            }

            var hint = DidYouMean.Closest(name, allowed);
            var split = name.Contains('(', StringComparison.Ordinal) || name.Contains(')', StringComparison.Ordinal)
                ? "; a comma inside { } ends the value, so quote a value that has one: expr: \"avg(pm2_5, 15m) > 35\""
                : "";
            Error(k, $"unknown key '{name}' in {what} ({(hint is null ? "allowed: " + string.Join(", ", allowed) : $"did you mean '{hint}'?")}){split}", hint);
        }
    }

    public string? Str(YamlMappingNode map, string key, string what, bool required = false)
    {
        if (Find(map, key, required, $"{what} is missing '{key}' (add '{key}: ...')") is not { } node)
        {
            return null;
        }

        if (node is YamlScalarNode s)
        {
            return s.Value;
        }

        Error(node, $"'{key}' must be a single value in {what}");
        return null;
    }

    /// <summary>The scalar node of <paramref name="key"/>, or null (with an error when it is present but not a single value).</summary>
    public YamlScalarNode? Scalar(YamlMappingNode map, string key, string what)
    {
        ArgumentNullException.ThrowIfNull(map);
        return Str(map, key, what) is null ? null : (YamlScalarNode)Get(map, key)!;
    }

    public double? Num(YamlMappingNode map, string key, string what, bool required = false) =>
        Find(map, key, required, $"{what} is missing '{key}'") is { } node ? Num(node, $"'{key}' in {what}") : null;

    public double? Num(YamlNode node, string what)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node is YamlScalarNode { Value: { } v } && TryNumber(v, out var d))
        {
            return d;
        }

        Error(node, $"{what} must be a number, got '{(node as YamlScalarNode)?.Value ?? node.NodeType.ToString()}'");
        return null;
    }

    public bool? Bool(YamlMappingNode map, string key, string what)
    {
        ArgumentNullException.ThrowIfNull(map);
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
        ArgumentNullException.ThrowIfNull(map);
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

    /// <summary>The value of <paramref name="key"/>, or null (reporting <paramref name="missing"/> at the map when it is required).</summary>
    private YamlNode? Find(YamlMappingNode map, string key, bool required, string missing)
    {
        ArgumentNullException.ThrowIfNull(map);
        var node = Get(map, key);
        if (node is null && required)
        {
            Error(map, missing);
        }

        return node;
    }

    private static Diagnostic SyntaxError(string file, string text, Mark mark, string detail, FlowTrackingParser parser)
    {
        var (line, column) = ((int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column));
        var hint = "";
        if (FirstTabIndent(text, line) is { } tab && (detail.Contains("tab", StringComparison.OrdinalIgnoreCase) || tab.Line >= line - 1))
        {
            (line, column) = tab;
            detail = "a tab in the indentation";
            hint = " (YAML indents with spaces only)";
        }
        else if (parser.InnermostOpenFlow is { } open)
        {
            hint = $" (the '{open.Open}' at line {open.Start.Line}, column {open.Start.Column} is not closed; close it with '{(open.Open == '{' ? '}' : ']')}' on the same item)";
        }
        else if (detail.Contains("mapping", StringComparison.OrdinalIgnoreCase) || detail.Contains("indentation", StringComparison.OrdinalIgnoreCase))
        {
            hint = " (check the indentation of this line and the one before it; quote a value that contains ': ')";
        }

        return new Diagnostic(file, line, column, $"invalid YAML: {detail.TrimEnd('.')}{hint}; the file is not valid YAML or JSON, so none of it was read");
    }

    /// <summary>The first tab in a line's leading whitespace up to <paramref name="lastLine"/> (1-based line and column).</summary>
    private static (int Line, int Column)? FirstTabIndent(string text, int lastLine)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < Math.Min(lines.Length, lastLine + 1); i++)
        {
            var line = lines[i];
            for (var j = 0; j < line.Length && (line[j] == ' ' || line[j] == '\t'); j++)
            {
                if (line[j] == '\t')
                {
                    return (i + 1, j + 1);
                }
            }
        }

        return null;
    }

    private static string Detail(YamlException e) =>
        e.InnerException is null || e.InnerException.Message == e.Message ? e.Message : e.Message + " " + e.InnerException.Message;

    /// <summary>Reports keys that are lists or mappings (YAML allows them; no file here uses one). Shared nodes are visited once.</summary>
    private bool CheckKeysArePlain()
    {
        var ok = true;
        var seen = new HashSet<YamlNode>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<YamlNode>();
        pending.Push(Root!);
        while (pending.TryPop(out var node))
        {
            if (!seen.Add(node))
            {
                continue;
            }

            switch (node)
            {
                case YamlMappingNode map:
                    foreach (var (key, value) in map.Children)
                    {
                        if (key is not YamlScalarNode)
                        {
                            Error(key, "a key must be a plain name, not a list or a mapping");
                            ok = false;
                        }

                        pending.Push(value);
                    }

                    break;
                case YamlSequenceNode seq:
                    foreach (var item in seq.Children)
                    {
                        pending.Push(item);
                    }

                    break;
            }
        }

        return ok;
    }
}
