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

    // Hot fields, read on every evaluation, kept together in a small object; the rest lives in Cold (touched on
    // transitions, reloads and checkpoints only), so 10,000 devices x their rules stay as few cache lines as possible.
    public CompiledRule Rule;
    public WindowBuffer[] Windows;
    public long[] AbsentSeenNs;
    public readonly ColdState Cold = new();
    public long PendingSinceNs;

    /// <summary>When the clear condition started holding while firing (0 = not clearing); keep_firing_for counts from here.</summary>
    public long ClearSinceNs;

    /// <summary>Last outcome of the firing condition: 1, 0 or NaN (unknown).</summary>
    public double LastFire = double.NaN;

    public RulePhase Phase;
    public int LevelIndex;

    public string RuleName { get => Cold.RuleName; set => Cold.RuleName = value; }
    public string DefinitionHash { get => Cold.DefinitionHash; set => Cold.DefinitionHash = value; }
    public long FiringSinceNs { get => Cold.FiringSinceNs; set => Cold.FiringSinceNs = value; }
    public long ResolvedAtNs { get => Cold.ResolvedAtNs; set => Cold.ResolvedAtNs = value; }
    public AlertSeverity Severity { get => Cold.Severity; set => Cold.Severity = value; }
    public double LastValue { get => Cold.LastValue; set => Cold.LastValue = value; }
    public bool Flapping { get => Cold.Flapping; set => Cold.Flapping = value; }

    /// <summary>Times of recent firing/resolved transitions (flapping detection), a small ring.</summary>
    public long[] Transitions { get => Cold.Transitions; set => Cold.Transitions = value; }
    public int TransitionCount { get => Cold.TransitionCount; set => Cold.TransitionCount = value; }
    public string? Fingerprint { get => Cold.Fingerprint; set => Cold.Fingerprint = value; }
    public IReadOnlyDictionary<string, string>? Labels { get => Cold.Labels; set => Cold.Labels = value; }
    public IReadOnlyDictionary<string, string>? Annotations { get => Cold.Annotations; set => Cold.Annotations = value; }

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

    internal sealed class ColdState
    {
        public string RuleName = "";
        public string DefinitionHash = "";
        public long FiringSinceNs;
        public long ResolvedAtNs;
        public AlertSeverity Severity;
        public double LastValue = double.NaN;
        public bool Flapping;
        public long[] Transitions = [];
        public int TransitionCount;
        public string? Fingerprint;
        public IReadOnlyDictionary<string, string>? Labels;
        public IReadOnlyDictionary<string, string>? Annotations;
    }
}
