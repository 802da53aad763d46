namespace SmartCity.IoT.Rules.Engine;

/// <summary>State of one (rule, device).</summary>
public enum RulePhase
{
    /// <summary>Never fired (or went back from pending).</summary>
    Inactive,

    /// <summary>The condition holds but not yet for the rule's <c>for</c>.</summary>
    Pending,

    /// <summary>The alert is active.</summary>
    Firing,

    /// <summary>The alert fired and was resolved; behaves like inactive.</summary>
    Resolved,
}
