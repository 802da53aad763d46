using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Rules.Compilation;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Rules.Loading;

/// <summary>
/// Loads rule files (<c>*.yaml</c>, <c>*.yml</c>, <c>*.json</c> directly in the directory; sub-folders such as schema/ are ignored).
/// Every file is checked and every error reported with file, line and column; nothing is returned unless all rules are valid.
/// </summary>
public static class RuleLoader
{
    public static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>The <see cref="DiagnosticException.Subject"/> of rules that failed to load.</summary>
    public const string DiagnosticSubject = "the alert rules";

    /// <exception cref="DiagnosticException">Any rule is invalid, or two rules share a name.</exception>
    public static RuleSet LoadDirectory(string rulesDirectory, FieldVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (!Directory.Exists(rulesDirectory))
        {
            throw new DiagnosticException(DiagnosticSubject, [new Diagnostic(rulesDirectory, 0, 0, "rules directory does not exist")]);
        }

        return LoadFiles(FilesIn(rulesDirectory), vocabulary);
    }

    /// <summary>The rule files directly in <paramref name="rulesDirectory"/>, in load order.</summary>
    public static IReadOnlyList<string> FilesIn(string rulesDirectory) =>
        Directory.EnumerateFiles(rulesDirectory, "*", SearchOption.TopDirectoryOnly)
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Loads these rule files as one set (names must be unique across them); an unreadable file is an error.</summary>
    /// <exception cref="DiagnosticException">Any rule is invalid, or two rules share a name.</exception>
    public static RuleSet LoadFiles(IReadOnlyList<string> files, FieldVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(vocabulary);
        var sources = new List<(string File, string Text)>();
        var errors = new List<Diagnostic>();
        foreach (var file in files)
        {
            try
            {
                sources.Add((file, File.ReadAllText(file)));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add(new Diagnostic(file, 0, 0, $"cannot read: {ex.Message}"));
            }
        }

        return Build(sources, vocabulary, errors);
    }

    public static RuleSet LoadFile(string path, FieldVocabulary vocabulary) => Build([(path, File.ReadAllText(path))], vocabulary, []);

    /// <summary>Loads rules from text (tests, the validate command); <paramref name="fileName"/> is used in errors.</summary>
    public static RuleSet LoadText(string text, string fileName, FieldVocabulary vocabulary) => Build([(fileName, text)], vocabulary, []);

    /// <summary>Checks without throwing: the errors, empty when valid.</summary>
    public static IReadOnlyList<Diagnostic> Validate(string rulesDirectory, FieldVocabulary vocabulary)
    {
        try
        {
            LoadDirectory(rulesDirectory, vocabulary);
            return [];
        }
        catch (DiagnosticException ex)
        {
            return ex.Errors;
        }
    }

    private static RuleSet Build(List<(string File, string Text)> sources, FieldVocabulary vocabulary, List<Diagnostic> errors)
    {
        var rules = new List<CompiledRule>();
        var seen = new Dictionary<string, RuleDefinition>(StringComparer.Ordinal);
        foreach (var (file, text) in sources)
        {
            foreach (var rule in RuleFileParser.Parse(file, text, vocabulary, errors))
            {
                if (seen.TryGetValue(rule.Name, out var first))
                {
                    errors.Add(new Diagnostic(file, rule.Definition.Line, 1, $"rule name '{rule.Name}' is already used at {first.File}:{first.Line}; names identify alerts and must be unique"));
                    continue;
                }

                seen.Add(rule.Name, rule.Definition);
                rules.Add(rule);
            }
        }

        if (errors.Count > 0)
        {
            throw new DiagnosticException(DiagnosticSubject, errors);
        }

        return new RuleSet(rules, vocabulary, sources.Select(s => s.File).ToArray());
    }
}
