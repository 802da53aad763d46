using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Rules.Evaluation;
using SmartCity.IoT.Rules.Language;

namespace SmartCity.IoT.Rules.Compilation;

/// <summary>Place attributes (<c>place.capacity</c>) and, in rules with <c>over:</c>, aggregates over a place's devices.</summary>
internal sealed partial class ExpressionCompiler
{
    private static readonly string[] AggregateNames = ["avg", "min", "max", "sum", "count"];

    /// <summary>Set for a rule with <c>over:</c>: field names only inside aggregates, <c>avg(co2)</c> without a window.</summary>
    public bool OverPlaces { get; init; }

    /// <summary>Place attributes the rule's expressions name, with the position of their first use.</summary>
    public Dictionary<string, int> PlaceAttributes { get; } = new(StringComparer.Ordinal);

    /// <summary>Distinct field ids the aggregates read.</summary>
    public List<int> AggregateFields { get; } = [];

    /// <summary>Aggregate terms; term i is slot i of the place's value array.</summary>
    public List<(int Field, AggregateFunction Function)> AggregateTerms { get; } = [];

    private (EvalNode, ValueKind) CompilePlace(PlaceReference p)
    {
        PlaceAttributes.TryAdd(p.Name, p.Position);
        return (new PlaceAttributeNode(PlaceAttributeIds.Of(p.Name), p.Name), ValueKind.Number);
    }

    private bool IsAggregate(CallExpression c) =>
        Array.IndexOf(AggregateNames, c.Function) >= 0 && (OverPlaces || c.Function == "sum" || c.Arguments.Count == 1);

    private (EvalNode, ValueKind) CompileAggregate(CallExpression c)
    {
        if (!OverPlaces)
        {
            throw new RuleSyntaxException(c.Position, $"{c.Function}({(c.Arguments.Count > 0 ? "x" : "")}) without a window aggregates over the devices of a place: add 'over: zone' (or floor, building) to the rule, or give a window: {c.Function}(co2, 10m)");
        }

        if (c.Arguments.Count != 1)
        {
            throw new RuleSyntaxException(c.Position, $"in a rule with 'over', {c.Function}() takes one field and aggregates the place's devices: {c.Function}(co2); windows such as {c.Function}(co2, 10m) are for rules without 'over'");
        }

        if (c.Arguments[0] is not NameReference name || !vocabulary.TryGet(name.Name, out var field))
        {
            var what = c.Arguments[0] is NameReference n ? $"unknown field '{n.Name}'{Suggest(n.Name)}" : $"the argument of {c.Function}() must be a field name";
            throw new RuleSyntaxException(c.Arguments[0].Position, what);
        }

        if (field.Type == FieldType.Enum)
        {
            throw new RuleSyntaxException(name.Position, $"{c.Function}() needs a numeric or boolean field; '{field.Name}' is an enum");
        }

        var function = c.Function switch
        {
            "avg" => AggregateFunction.Avg,
            "min" => AggregateFunction.Min,
            "max" => AggregateFunction.Max,
            "sum" => AggregateFunction.Sum,
            _ => AggregateFunction.Count,
        };
        TriggerFields.Add(field.Id);
        var f = AggregateFields.IndexOf(field.Id);
        if (f < 0)
        {
            f = AggregateFields.Count;
            AggregateFields.Add(field.Id);
        }

        var term = AggregateTerms.IndexOf((f, function));
        if (term < 0)
        {
            term = AggregateTerms.Count;
            AggregateTerms.Add((f, function));
        }

        _compiled[name] = new FieldNode(field.Id);
        return (new AggregateValueNode(term), ValueKind.Number);
    }

    private void RejectWindowOverPlaces(CallExpression c)
    {
        if (OverPlaces && c.Function != "abs")
        {
            throw new RuleSyntaxException(c.Position, $"{c.Function}() is a per-device window; a rule with 'over' uses aggregates over the place's devices: avg, min, max, sum, count");
        }
    }

    private void RejectDeviceFieldOverPlaces(NameReference r)
    {
        if (OverPlaces)
        {
            throw new RuleSyntaxException(r.Position, $"a rule with 'over' aggregates the place's devices: name '{r.Name}' inside avg(), min(), max(), sum() or count(), e.g. avg({r.Name}) > 1000");
        }
    }
}
