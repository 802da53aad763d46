using Microsoft.Extensions.Logging;
using SmartCity.IoT.Rules.Compilation;

namespace SmartCity.IoT.Rules.Engine;

/// <summary>
/// Failures inside rule evaluation, per rule: counted, logged once per rule, and published as an immutable snapshot
/// that any thread may read (the status page reads it without the pipeline's lock).
/// </summary>
internal sealed partial class RuleFailures(ILogger logger)
{
    private readonly Dictionary<string, (BrokenRule Broken, string Hash)> _byRule = new(StringComparer.Ordinal);
    private BrokenRule[] _snapshot = [];

    /// <summary>The broken rules, ordered by name; replaced as a whole on each failure.</summary>
    public IReadOnlyList<BrokenRule> Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>Counts a failure of <paramref name="rule"/> on <paramref name="slot"/>; logs the first of each rule.</summary>
    public void Record(CompiledRule rule, DeviceSlot slot, Exception error, long now)
    {
        var at = UnixNanos.ToTime(now);
        if (_byRule.TryGetValue(rule.Name, out var known))
        {
            _byRule[rule.Name] = (known.Broken with { Failures = known.Broken.Failures + 1, LastFailedAt = at }, known.Hash);
        }
        else
        {
            var device = slot.ProfileId + "/" + slot.DeviceId;
            _byRule[rule.Name] = (new BrokenRule(rule.Name, $"{error.GetType().Name}: {error.Message}", device, 1, at, at), rule.Definition.DefinitionHash);
            RuleFailed(logger, rule.Name, rule.Definition.File, rule.Definition.Line, device, error);
        }

        Publish();
    }

    /// <summary>After a reload: a rule stays broken only while the same rule (name and content) runs.</summary>
    public void Retain(IEnumerable<CompiledRule> running)
    {
        if (_byRule.Count == 0)
        {
            return;
        }

        var kept = running.Where(r => _byRule.TryGetValue(r.Name, out var b) && b.Hash == r.Definition.DefinitionHash).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in _byRule.Keys.Where(n => !kept.Contains(n)).ToArray())
        {
            _byRule.Remove(name);
        }

        Publish();
    }

    private void Publish() => Volatile.Write(ref _snapshot, _byRule.Values.Select(b => b.Broken).OrderBy(b => b.RuleName, StringComparer.Ordinal).ToArray());

    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "Rule {Rule} ({File}:{Line}) failed on device {Device} and is marked broken; the reading was stored and the other rules ran. Further failures of this rule are counted on the status page, not logged")]
    private static partial void RuleFailed(ILogger logger, string rule, string file, int line, string device, Exception error);
}
