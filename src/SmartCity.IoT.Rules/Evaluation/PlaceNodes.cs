namespace SmartCity.IoT.Rules.Evaluation;

/// <summary><c>place.capacity</c>: NaN (unknown) when the device is unplaced or its place and ancestors lack the attribute.</summary>
internal sealed class PlaceAttributeNode(int id, string name) : EvalNode
{
    public string Name { get; } = name;

    public override double Eval(in EvalContext ctx) => ctx.Place is { } place ? place.Number(id) : double.NaN;
}

/// <summary>
/// <c>avg(co2)</c> in a rule with <c>over:</c>: the aggregate's current value over the place's fresh members, kept by the
/// aggregator in the place's value array (the context's <see cref="EvalContext.Latest"/>).
/// </summary>
internal sealed class AggregateValueNode(int term) : EvalNode
{
    public override double Eval(in EvalContext ctx) => (uint)term < (uint)ctx.Latest.Length ? ctx.Latest[term] : double.NaN;
}

/// <summary>A threshold of a scheduled rule: not evaluated (false) outside the schedule.</summary>
internal sealed class ScheduleGateNode(EvalNode condition, RuleSchedule schedule) : EvalNode
{
    public override double Eval(in EvalContext ctx)
    {
        var applies = schedule.Applies(ctx.Place, ctx.NowNs);
        return applies == 1 ? condition.Eval(ctx) : applies;
    }
}

/// <summary>The clear condition of a scheduled rule: holds outside the schedule, so a firing alert resolves there.</summary>
internal sealed class ScheduleClearNode(EvalNode clear, RuleSchedule schedule) : EvalNode
{
    public override double Eval(in EvalContext ctx)
    {
        var applies = schedule.Applies(ctx.Place, ctx.NowNs);
        return applies == 1 ? clear.Eval(ctx) : applies == 0 ? 1 : double.NaN;
    }
}
