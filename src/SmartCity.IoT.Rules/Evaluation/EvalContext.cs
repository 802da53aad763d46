namespace SmartCity.IoT.Rules.Evaluation;

/// <summary>What a compiled expression reads while evaluating for one (rule, device): no allocation.</summary>
internal readonly struct EvalContext(double[] latest, long nowNs, KeyValuePair<string, string>[] tags, RuleLane? lane, int member, PlaceBinding? place = null)
{
    /// <summary>The device's latest value per field id (NaN when never reported).</summary>
    public readonly double[] Latest = latest;

    /// <summary>Gateway time (receive-time semantics), Unix ns.</summary>
    public readonly long NowNs = nowNs;

    public readonly KeyValuePair<string, string>[] Tags = tags;

    /// <summary>The rule's windows and absent() clocks in the device's rule group (null for a rule without either).</summary>
    public readonly RuleLane? Lane = lane;

    /// <summary>The device's member number in <see cref="Lane"/>.</summary>
    public readonly int Member = member;

    /// <summary>The device's place in the building model (the place itself for a rule over places), or null when unplaced.</summary>
    public readonly PlaceBinding? Place = place;
}
