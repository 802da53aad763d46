using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Core.Places;

namespace SmartCity.IoT.Rules.Model;

/// <summary>
/// What a label or annotation template can refer to when an alert transitions. <paramref name="ValueText"/> is the value
/// in its field's own terms (an enum's value name, true/false), rendered instead of <paramref name="Value"/>.
/// </summary>
public sealed record TemplateContext(
    string RuleName,
    AlertSeverity Severity,
    double Value,
    string DeviceId,
    string Family,
    string ProfileId,
    IReadOnlyList<KeyValuePair<string, string>> Tags,
    double[]? Latest,
    FieldVocabulary Vocabulary,
    string? ValueText = null,
    Place? Place = null);
