namespace SmartCity.IoT.Rules.Evaluation;

/// <summary>What a compiled expression reads while evaluating for one (rule, device): no allocation.</summary>
internal readonly struct EvalContext(double[] latest, RuleState state, long nowNs, KeyValuePair<string, string>[] tags)
{
    /// <summary>The device's latest value per field id (NaN when never reported).</summary>
    public readonly double[] Latest = latest;

    public readonly RuleState State = state;

    /// <summary>Gateway time (receive-time semantics), Unix ns.</summary>
    public readonly long NowNs = nowNs;

    public readonly KeyValuePair<string, string>[] Tags = tags;
}
