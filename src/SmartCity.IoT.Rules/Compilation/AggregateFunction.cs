namespace SmartCity.IoT.Rules.Compilation;

/// <summary>An aggregate over the fresh members of a place: <c>avg(co2)</c>, <c>min</c>, <c>max</c>, <c>sum</c>, <c>count</c>.</summary>
internal enum AggregateFunction
{
    Avg,
    Min,
    Max,
    Sum,
    Count,
}
