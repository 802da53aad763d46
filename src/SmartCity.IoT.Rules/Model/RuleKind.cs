namespace SmartCity.IoT.Rules.Model;

public enum RuleKind
{
    /// <summary>An expression over readings (<c>co2 &gt; 1000</c>), evaluated on each reading that carries one of its fields.</summary>
    Threshold,

    /// <summary>No message from the whole device for <c>after</c> (or its availability topic said offline); evaluated by the timer.</summary>
    Staleness,
}
