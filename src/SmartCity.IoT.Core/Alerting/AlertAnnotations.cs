namespace SmartCity.IoT.Core.Alerting;

/// <summary>Annotation names with a meaning beyond display, shared by the rule engine and delivery.</summary>
public static class AlertAnnotations
{
    /// <summary>Set on the firing transition that says the alert is flapping and held firing; its text says why.</summary>
    public const string Flapping = "flapping";
}
