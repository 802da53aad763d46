namespace SmartCity.IoT.Rules.Engine;

/// <summary>
/// A rule whose evaluation failed (a bug, never a user mistake): the reading was still stored and the other rules still
/// ran. Shown on the status page until a reload replaces or removes the rule.
/// </summary>
/// <param name="RuleName">The rule.</param>
/// <param name="FirstError">The first failure: exception type and message.</param>
/// <param name="FirstDevice">The device (profile id/device id) whose reading or timer failed first.</param>
/// <param name="Failures">How many evaluations of the rule failed.</param>
/// <param name="FirstFailedAt">When it failed first.</param>
/// <param name="LastFailedAt">When it failed last.</param>
public sealed record BrokenRule(string RuleName, string FirstError, string FirstDevice, long Failures, DateTimeOffset FirstFailedAt, DateTimeOffset LastFailedAt);
