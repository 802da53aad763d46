namespace SmartCity.IoT.Rules.Evaluation;

/// <summary>Base of the functions over a per-device window: evicts samples older than the window first.</summary>
internal abstract class WindowNode(int slot, long durationNs) : EvalNode
{
    public int Slot { get; } = slot;

    public long DurationNs { get; } = durationNs;

    public sealed override double Eval(in EvalContext ctx)
    {
        var window = ctx.Lane!.Windows[Slot];
        var m = ctx.Member;
        window.Evict(m, ctx.NowNs - DurationNs);
        return Compute(window, m);
    }

    protected abstract double Compute(WindowStore w, int m);
}

internal sealed class AvgNode(int slot, long durationNs) : WindowNode(slot, durationNs)
{
    protected override double Compute(WindowStore w, int m)
    {
        var count = w.Count(m);
        return count == 0 ? double.NaN : w.Sum(m) / count;
    }
}

internal sealed class MinNode(int slot, long durationNs) : WindowNode(slot, durationNs)
{
    protected override double Compute(WindowStore w, int m) => w.Min(m);
}

internal sealed class MaxNode(int slot, long durationNs) : WindowNode(slot, durationNs)
{
    protected override double Compute(WindowStore w, int m) => w.Max(m);
}

/// <summary>Newest minus oldest sample in the window; unknown with fewer than two samples.</summary>
internal sealed class DeltaNode(int slot, long durationNs) : WindowNode(slot, durationNs)
{
    protected override double Compute(WindowStore w, int m) => w.Count(m) < 2 ? double.NaN : w.Newest(m).Value - w.Oldest(m).Value;
}

/// <summary>
/// Per-second rate of change between the oldest and newest sample in the window (Prometheus' convention). Unknown until
/// those samples are at least a tenth of the window apart: readings that arrive in a burst (a broker replaying a backlog,
/// a gateway catching up) carry receive times microseconds apart, and dividing their noise by that span gives rates of
/// thousands per second in either direction.
/// On a counter field (vocabulary <c>counter: true</c>) the change is <see cref="WindowStore.Increase"/>, so a reset or
/// a wrap never shows as a large negative rate.
/// </summary>
internal sealed class RateNode(int slot, long durationNs, bool counter = false) : WindowNode(slot, durationNs)
{
    private readonly long _minSpanNs = Math.Max(1, durationNs / MinSpanDivisor);

    /// <summary>The shortest span a rate is computed over: the window's length divided by this.</summary>
    public const int MinSpanDivisor = 10;

    protected override double Compute(WindowStore w, int m)
    {
        if (w.Count(m) < 2)
        {
            return double.NaN;
        }

        var (t0, v0) = w.Oldest(m);
        var (t1, v1) = w.Newest(m);
        return t1 - t0 < _minSpanNs ? double.NaN : (counter ? w.Increase(m) : v1 - v0) / ((t1 - t0) / 1e9);
    }
}

/// <summary><c>increase(x, d)</c>: how much a counter field grew in the window, resets and wraps included; unknown with fewer than two samples.</summary>
internal sealed class IncreaseNode(int slot, long durationNs) : WindowNode(slot, durationNs)
{
    protected override double Compute(WindowStore w, int m) => w.Increase(m);
}

/// <summary><c>count(cond, d)</c>: how many evaluations in the window had the condition true (samples are 1 or 0).</summary>
internal sealed class CountNode(int slot, long durationNs) : WindowNode(slot, durationNs)
{
    protected override double Compute(WindowStore w, int m) => w.Sum(m);
}

/// <summary><c>absent(x, d)</c>: true when the field has not been received for at least d (known even without any reading).</summary>
internal sealed class AbsentNode(int slot, long durationNs) : EvalNode
{
    public int Slot { get; } = slot;

    public override double Eval(in EvalContext ctx) => ctx.NowNs - ctx.Lane!.AbsentSeen(Slot, ctx.Member) >= durationNs ? 1 : 0;
}

/// <summary>Seconds since the field was last received (the value shown for an absent() alert).</summary>
internal sealed class AbsentAgeNode(int slot) : EvalNode
{
    public override double Eval(in EvalContext ctx) => (ctx.NowNs - ctx.Lane!.AbsentSeen(slot, ctx.Member)) / 1e9;
}
