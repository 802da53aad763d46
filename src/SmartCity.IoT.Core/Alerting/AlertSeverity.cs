namespace SmartCity.IoT.Core.Alerting;

/// <summary>Ordered: a higher value is more severe.</summary>
public enum AlertSeverity
{
    Info = 0,
    Warning = 1,
    Major = 2,
    Critical = 3,
}
