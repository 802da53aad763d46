namespace SmartCity.IoT.Alerts.Options;

/// <summary>Alertmanager's <c>inhibit_rules</c>: while a firing alert matches <see cref="SourceMatchers"/>, alerts matching <see cref="TargetMatchers"/> with the same <see cref="Equal"/> labels are not sent.</summary>
public sealed class InhibitRuleOptions
{
    public List<string> SourceMatchers { get; set; } = [];

    public List<string> TargetMatchers { get; set; } = [];

    public List<string> Equal { get; set; } = [];
}
