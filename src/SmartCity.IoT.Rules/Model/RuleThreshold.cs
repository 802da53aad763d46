using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Rules.Model;

/// <summary>
/// A constant a rule compares a field with (<c>co2 &gt; 1000</c>): what a chart of that field draws as a line.
/// <paramref name="Operator"/> is as written (<c>&gt;</c>, <c>&gt;=</c>, <c>&lt;</c>, <c>&lt;=</c>), with the field on the left.
/// </summary>
public sealed record RuleThreshold(string Rule, AlertSeverity Severity, string Field, string Operator, double Value);
