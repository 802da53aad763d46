using SmartCity.IoT.Rules.Evaluation;

namespace SmartCity.IoT.Rules.Compilation;

/// <summary>
/// One window a rule keeps per device: samples of a field (<see cref="FieldId"/> &gt;= 0) or the 0/1 outcomes of a
/// <c>count()</c> condition (<see cref="Condition"/>). Fed before the rule's expression is evaluated.
/// </summary>
internal sealed record WindowSpec(int FieldId, EvalNode? Condition, long DurationNs);
