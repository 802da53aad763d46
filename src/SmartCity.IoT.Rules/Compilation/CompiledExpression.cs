using SmartCity.IoT.Rules.Evaluation;

namespace SmartCity.IoT.Rules.Compilation;

/// <summary>A condition plus the numeric expression reported as the alert's value (the left side of its first comparison).</summary>
internal sealed record CompiledExpression(EvalNode Condition, EvalNode? Value);
