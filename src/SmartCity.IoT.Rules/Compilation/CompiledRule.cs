using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Rules.Evaluation;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Rules.Compilation;

/// <summary>A rule ready for the hot path: evaluators over field ids, window layout, timings in nanoseconds.</summary>
internal sealed class CompiledRule
{
    public required RuleDefinition Definition { get; init; }

    /// <summary>Most severe first; the alert fires when any holds and takes the severity of the first that holds.</summary>
    public required EvalNode[] LevelConditions { get; init; }

    public required AlertSeverity[] LevelSeverities { get; init; }

    /// <summary>Resolve condition; null means "no level holds".</summary>
    public EvalNode? Clear { get; init; }

    /// <summary>Per level, the value to report; may be null.</summary>
    public required EvalNode?[] LevelValues { get; init; }

    /// <summary>Per level, the enum or boolean field its value is (reported in the field's terms), else null.</summary>
    public FieldDefinition?[] LevelValueFields { get; init; } = [];

    public EvalNode? ExplicitValue { get; init; }

    public long ForNs { get; init; }

    public long KeepFiringForNs { get; init; }

    public long AfterNs { get; init; }

    public required int[] TriggerFields { get; init; }

    /// <summary>Bit i set when field id i triggers evaluation (vocabularies of up to 64 fields; otherwise the engine loops over <see cref="TriggerFields"/>).</summary>
    public ulong TriggerMask => _triggerMaskKnown ? _triggerMask : ComputeTriggerMask(); // small enough to inline (hot path)

    private ulong _triggerMask;
    private bool _triggerMaskKnown;

    private ulong ComputeTriggerMask()
    {
        _triggerMask = TriggerFields.Aggregate(0UL, (m, id) => id < 64 ? m | (1UL << id) : m);
        _triggerMaskKnown = true;
        return _triggerMask;
    }

    public required WindowSpec[] Windows { get; init; }

    /// <summary>Field windows: (slot, field id, length), fed from each reading that carries the field.</summary>
    public required (int Slot, int FieldId, long DurationNs)[] FieldWindows { get; init; }

    /// <summary>count() windows: (slot, condition, length), fed with each evaluation's outcome.</summary>
    public required (int Slot, EvalNode Condition, long DurationNs)[] CountWindows { get; init; }

    public required int[] AbsentFields { get; init; }

    /// <summary>
    /// The shortest duration of the rule's absent() calls (ns): no absent() can turn true sooner than that after its field
    /// was last received, so the timers need not look at the rule before (0: look every tick).
    /// </summary>
    public long ShortestAbsentNs { get; init; }

    public required IReadOnlyDictionary<string, Template> Labels { get; init; }

    public required IReadOnlyDictionary<string, Template> Annotations { get; init; }

    /// <summary>Set for a rule with <c>over:</c>: evaluated per place by the place aggregator, not per device.</summary>
    public PlaceAggregateSpec? Aggregate { get; init; }

    /// <summary>When the rule applies (<c>during</c>/<c>outside</c>); its level conditions and clear are gated by it.</summary>
    public RuleSchedule? Schedule { get; init; }

    public string Name => Definition.Name;

    public RuleKind Kind => Definition.Kind;

    public bool HasAbsent => AbsentFields.Length > 0;

    /// <summary>1 when a level holds (the most severe one in <paramref name="level"/>), 0 when none does, NaN when unknown.</summary>
    public double EvaluateLevels(in EvalContext ctx, out int level)
    {
        var unknown = false;
        var conditions = LevelConditions;
        for (var i = 0; i < conditions.Length; i++)
        {
            var v = conditions[i].Eval(ctx);
            if (v == 1)
            {
                level = i;
                return 1;
            }

            unknown |= double.IsNaN(v);
        }

        level = -1;
        return unknown ? double.NaN : 0;
    }

    /// <summary>The value an alert of <paramref name="level"/> reports (NaN when the rule names none).</summary>
    public double ValueOf(int level, in EvalContext ctx)
    {
        var node = ExplicitValue ?? ((uint)level < (uint)LevelValues.Length ? LevelValues[level] : null);
        return node?.Eval(ctx) ?? double.NaN;
    }

    /// <summary>
    /// <paramref name="value"/> of an alert of <paramref name="level"/> in its field's own terms (an enum's value name,
    /// true/false), or null when the value is a number (an explicit <c>value:</c> is always a number).
    /// </summary>
    public string? ValueText(int level, double value) =>
        ExplicitValue is null && (uint)level < (uint)LevelValueFields.Length && LevelValueFields[level] is { } field ? field.TextOf(value) : null;
}

/// <summary>Stands in for a rule known only by name (state read from a checkpoint) until it is matched to a loaded rule.</summary>
internal static class PlaceholderRule
{
    public static CompiledRule Create(string name, RuleKind kind, string definitionHash) => new()
    {
        Definition = new RuleDefinition { Name = name, Kind = kind, DefinitionHash = definitionHash },
        LevelConditions = [],
        LevelSeverities = [],
        LevelValues = [],
        TriggerFields = [],
        Windows = [],
        FieldWindows = [],
        CountWindows = [],
        AbsentFields = [],
        Labels = new Dictionary<string, Template>(),
        Annotations = new Dictionary<string, Template>(),
    };
}
