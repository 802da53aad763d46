using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Loading;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>The rule set currently running, for the status page (the engine owns the evaluation state).</summary>
public sealed class ActiveRuleSet
{
    public ActiveRuleSet(RuleSet initial)
    {
        Current = initial;
    }

    public RuleSet Current { get; set; }
}
