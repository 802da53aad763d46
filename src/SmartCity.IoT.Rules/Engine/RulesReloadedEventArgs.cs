using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Rules.Engine;

/// <summary>Raised by <see cref="RuleEngine.RulesReloaded"/> after the engine runs a new rule set.</summary>
public sealed class RulesReloadedEventArgs(RuleSet rules, long version) : EventArgs
{
    /// <summary>The rules now running (the same as <see cref="RuleEngine.Rules"/>).</summary>
    public RuleSet Rules { get; } = rules;

    /// <summary>The engine's <see cref="RuleEngine.RulesVersion"/> for <see cref="Rules"/>.</summary>
    public long Version { get; } = version;
}
