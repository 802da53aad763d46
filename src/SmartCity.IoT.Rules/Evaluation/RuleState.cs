using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Rules.Compilation;
using SmartCity.IoT.Rules.Engine;

namespace SmartCity.IoT.Rules.Evaluation;

/// <summary>Everything the engine keeps for one (rule, device): preallocated when the device is first seen.</summary>
internal sealed class RuleState
{
    public RuleState(CompiledRule rule, int initialWindowCapacity, int maxWindowSamples)
    {
        Rule = rule;
        RuleName = rule.Name;
        DefinitionHash = rule.Definition.DefinitionHash;
        Windows = new WindowBuffer[rule.Windows.Length];
        for (var i = 0; i < Windows.Length; i++)
        {
            Windows[i] = new WindowBuffer(initialWindowCapacity, maxWindowSamples);
        }

        AbsentSeenNs = new long[rule.AbsentFields.Length];
    }

    public CompiledRule Rule;
    public string RuleName;
    public string DefinitionHash;
    public RulePhase Phase;
    public long PendingSinceNs;
    public long FiringSinceNs;

    /// <summary>When the clear condition started holding while firing (0 = not clearing); keep_firing_for counts from here.</summary>
    public long ClearSinceNs;

    public long ResolvedAtNs;
    public int LevelIndex;
    public AlertSeverity Severity;

    /// <summary>Last outcome of the firing condition: 1, 0 or NaN (unknown).</summary>
    public double LastFire = double.NaN;

    public double LastValue = double.NaN;
    public bool Flapping;

    /// <summary>Times of recent firing/resolved transitions (flapping detection), a small ring.</summary>
    public long[] Transitions = [];
    public int TransitionCount;

    public WindowBuffer[] Windows;
    public long[] AbsentSeenNs;
    public string? Fingerprint;
    public IReadOnlyDictionary<string, string>? Labels;
    public IReadOnlyDictionary<string, string>? Annotations;

    public void RecordTransition(long nowNs, int capacity)
    {
        if (capacity <= 0)
        {
            return;
        }

        if (Transitions.Length != capacity)
        {
            var kept = Transitions.Length == 0 ? [] : Transitions.AsSpan(0, Math.Min(TransitionCount, Transitions.Length)).ToArray();
            Transitions = new long[capacity];
            TransitionCount = 0;
            foreach (var t in kept.AsSpan(Math.Max(0, kept.Length - capacity)))
            {
                Transitions[TransitionCount++] = t;
            }
        }

        if (TransitionCount == capacity)
        {
            Array.Copy(Transitions, 1, Transitions, 0, capacity - 1);
            TransitionCount--;
        }

        Transitions[TransitionCount++] = nowNs;
    }

    public int TransitionsSince(long cutoffNs)
    {
        var n = 0;
        for (var i = 0; i < TransitionCount; i++)
        {
            if (Transitions[i] >= cutoffNs)
            {
                n++;
            }
        }

        return n;
    }
}
