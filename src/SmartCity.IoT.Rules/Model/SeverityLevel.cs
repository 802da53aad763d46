using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Rules.Model;

/// <summary>One threshold of a rule: the condition and the severity it gives.</summary>
public sealed record SeverityLevel(AlertSeverity Severity, string Expression);
