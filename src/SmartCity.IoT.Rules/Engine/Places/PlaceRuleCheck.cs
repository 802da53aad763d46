using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Core.Places;
using SmartCity.IoT.Rules.Compilation;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Rules.Engine.Places;

/// <summary>
/// Checks rules against a building model (<c>model validate</c>, and the gateway at start and on each reload).
/// A <c>place.&lt;attribute&gt;</c> that no place of the model has, or <c>during: occupied</c> when no place has occupied
/// hours, is an error: the rule could never fire. An attribute some places lack is a warning listing them (the places
/// an <c>over:</c> rule aggregates; for a per-device rule the places of the devices it matches when they are known,
/// else the model's innermost places): a device there leaves the comparison unknown, so the rule never fires for it.
/// </summary>
public static class PlaceRuleCheck
{
    private const int Listed = 10;

    /// <param name="devicePlaces">The places of the devices a per-device rule matches (the simulator's in <c>model validate</c>); null: the model's innermost places.</param>
    public static PlaceRuleReport Check(RuleSet rules, BuildingModel model, Func<RuleDefinition, IEnumerable<Place>>? devicePlaces = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(model);
        var errors = new List<Diagnostic>();
        var warnings = new List<Diagnostic>();
        var known = model.Places.SelectMany(p => p.Numbers.Keys).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var rule in rules.Compiled)
        {
            var definition = rule.Definition;
            var candidates = Candidates(rule, model, devicePlaces);
            foreach (var attribute in definition.PlaceAttributes)
            {
                if (!known.Contains(attribute, StringComparer.Ordinal))
                {
                    var hint = DidYouMean.Closest(attribute, known) is { } best ? $" (did you mean 'place.{best}'?)" : known.Length > 0 ? $"; the model's attributes are {string.Join(", ", known.Order(StringComparer.Ordinal))}" : "";
                    errors.Add(At(definition, $"rule '{definition.Name}' uses place.{attribute} but no place in the building model{Source(model)} has '{attribute}'{hint}", DidYouMean.Closest(attribute, known)));
                    continue;
                }

                var lacking = candidates.Where(p => !p.TryGetNumber(attribute, out _)).ToArray();
                if (lacking.Length > 0)
                {
                    warnings.Add(At(definition, $"rule '{definition.Name}' uses place.{attribute}, which is missing in {Describe(lacking)} (and their ancestors): devices there never fire the rule"));
                }
            }

            if ("occupied" == (definition.During ?? definition.Outside))
            {
                if (!model.Places.Any(p => p.OwnOccupied is not null))
                {
                    errors.Add(At(definition, $"rule '{definition.Name}' applies {(definition.During is not null ? "during" : "outside")} occupied hours but no place in the building model{Source(model)} has occupied hours"));
                }
                else if (candidates.Where(p => p.Occupied is null).ToArray() is { Length: > 0 } without)
                {
                    warnings.Add(At(definition, $"rule '{definition.Name}' follows occupied hours, which are missing in {Describe(without)} (and their ancestors): the rule never applies there"));
                }
            }

            if (definition.Over is { } over && rule.Aggregate is { } spec && spec.Kinds.Length > 0 && !model.Places.Any(p => spec.Kinds.Contains(p.Kind)))
            {
                errors.Add(At(definition, $"rule '{definition.Name}' aggregates over '{over}' but the building model{Source(model)} has no place of kind {string.Join(" or ", spec.Kinds)}"));
            }
        }

        return new PlaceRuleReport(errors, warnings);
    }

    /// <summary>The places the rule is evaluated in: those an over: rule aggregates, else the model's leaves.</summary>
    private static IReadOnlyList<Place> Candidates(CompiledRule rule, BuildingModel model, Func<RuleDefinition, IEnumerable<Place>>? devicePlaces) =>
        rule.Aggregate is { } spec
            ? model.Places.Where(p => spec.Kinds.Length == 0 || spec.Kinds.Contains(p.Kind)).ToArray()
            : devicePlaces is not null
                ? devicePlaces(rule.Definition).Distinct().OrderBy(p => p.Index).ToArray()
                : model.Places.Where(p => p.Children.Count == 0).ToArray();

    private static string Describe(Place[] places)
    {
        var names = string.Join(", ", places.Take(Listed).Select(p => p.Id));
        return places.Length > Listed ? $"{places.Length} places ({names}, ...)" : places.Length == 1 ? $"place {names}" : $"places {names}";
    }

    private static string Source(BuildingModel model) => model.SourcePath is { } path ? $" ({path})" : "";

    private static Diagnostic At(RuleDefinition rule, string message, string? suggestion = null) => new(rule.File, rule.Line, 1, message, suggestion);
}

/// <summary>What <see cref="PlaceRuleCheck.Check"/> found: errors (the rule can never fire) and warnings.</summary>
public sealed record PlaceRuleReport(IReadOnlyList<Diagnostic> Errors, IReadOnlyList<Diagnostic> Warnings);
