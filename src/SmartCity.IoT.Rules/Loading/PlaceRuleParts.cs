using SmartCity.IoT.Rules.Compilation;
using SmartCity.IoT.Rules.Evaluation;

namespace SmartCity.IoT.Rules.Loading;

/// <summary>The compiled parts a rule's place keys add: schedule gates and the aggregate layout.</summary>
internal static class PlaceRuleParts
{
    public static EvalNode Gate(EvalNode condition, RuleSchedule? schedule) =>
        schedule is null ? condition : new ScheduleGateNode(condition, schedule);

    /// <summary>A scheduled rule's clear; without a written clear, the lifecycle's "no threshold holds" already resolves outside it.</summary>
    public static EvalNode? GateClear(EvalNode? clear, RuleSchedule? schedule) =>
        schedule is null || clear is null ? clear : new ScheduleClearNode(clear, schedule);

    public static PlaceAggregateSpec? Aggregate(PlaceKeys place, ExpressionCompiler compiler) =>
        place.Over is null
            ? null
            : new PlaceAggregateSpec
            {
                Over = place.Over,
                Kinds = place.Kinds,
                StaleAfterNs = DurationReader.ToNs(place.StaleAfter),
                Fields = compiler.AggregateFields.ToArray(),
                Terms = compiler.AggregateTerms.ToArray(),
            };
}
