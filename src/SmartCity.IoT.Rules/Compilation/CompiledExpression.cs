using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Rules.Evaluation;

namespace SmartCity.IoT.Rules.Compilation;

/// <summary>
/// A condition plus the expression reported as the alert's value (the left side of its first comparison) and, when that
/// is an enum or boolean field, the field (its value is reported by name: <c>fault</c>, <c>true</c>).
/// </summary>
internal sealed record CompiledExpression(EvalNode Condition, EvalNode? Value, FieldDefinition? ValueField = null);
