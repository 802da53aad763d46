using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Rules.Compilation;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Rules.Loading;

/// <summary>One threshold of a rule while it is being read: its severity, the expression as written and its compiled form.</summary>
internal sealed record ParsedLevel(AlertSeverity Severity, YamlScalarNode Node, CompiledExpression Compiled);
