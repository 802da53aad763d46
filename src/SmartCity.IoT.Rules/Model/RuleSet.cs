using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Rules.Compilation;

namespace SmartCity.IoT.Rules.Model;

/// <summary>A validated, compiled set of rules for one vocabulary. Immutable; hand it to <see cref="Engine.RuleEngine"/>.</summary>
public sealed class RuleSet
{
    internal RuleSet(IReadOnlyList<CompiledRule> compiled, FieldVocabulary vocabulary, IReadOnlyList<string> files)
    {
        Compiled = compiled;
        Vocabulary = vocabulary;
        Files = files;
        Rules = compiled.Select(r => r.Definition).ToArray();
    }

    public static RuleSet Empty(FieldVocabulary vocabulary) => new([], vocabulary, []);

    public IReadOnlyList<RuleDefinition> Rules { get; }

    /// <summary>The files the rules came from.</summary>
    public IReadOnlyList<string> Files { get; }

    public FieldVocabulary Vocabulary { get; }

    public int Count => Rules.Count;

    internal IReadOnlyList<CompiledRule> Compiled { get; }
}
