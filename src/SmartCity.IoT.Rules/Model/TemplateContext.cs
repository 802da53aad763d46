using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Rules.Model;

/// <summary>What a label or annotation template can refer to when an alert transitions.</summary>
public sealed record TemplateContext(
    string RuleName,
    AlertSeverity Severity,
    double Value,
    string DeviceId,
    string Family,
    string ProfileId,
    IReadOnlyList<KeyValuePair<string, string>> Tags,
    double[]? Latest,
    FieldVocabulary Vocabulary);
