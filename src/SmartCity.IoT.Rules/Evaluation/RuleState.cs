using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Rules.Compilation;
using SmartCity.IoT.Rules.Engine;

namespace SmartCity.IoT.Rules.Evaluation;

/// <summary>Everything the engine keeps for one (rule, device): preallocated when the device is first seen.</summary>
internal sealed class RuleState
{
    public RuleState(CompiledRule rule)
    {
        Rule = rule;
    }

    // Hot fields in a small object (about 64 bytes). The rest lives in a ColdState created at the first transition, and
    // the windows and absent() clocks live in the device's rule group (RuleLane), so a reading reads this object only
    // when the rule is pending or firing, or when its condition holds.
    public CompiledRule Rule;
    private ColdState? _cold;
    public long PendingSinceNs;

    /// <summary>When the clear condition started holding while firing (0 = not clearing); keep_firing_for counts from here.</summary>
    public long ClearSinceNs;

    /// <summary>Last outcome of the firing condition: 1, 0 or NaN (unknown).</summary>
    public double LastFire = double.NaN;

    public RulePhase Phase;
    public int LevelIndex;

    /// <summary>
    /// Window contents and absent() clocks carried outside a rule group: read from a checkpoint, or saved from the old
    /// group during a reload, until the engine binds the state to its new group. Null while bound.
    /// </summary>
    public WindowBuffer[]? SavedWindows;

    /// <inheritdoc cref="SavedWindows"/>
    public long[]? SavedAbsentSeenNs;

    /// <summary>The rule's name and content hash (a placeholder rule carries them for state read from a checkpoint).</summary>
    public string RuleName => Rule.Name;

    public string DefinitionHash => Rule.Definition.DefinitionHash;

    public long FiringSinceNs { get => _cold?.FiringSinceNs ?? 0; set => Cold.FiringSinceNs = value; }
    public long ResolvedAtNs { get => _cold?.ResolvedAtNs ?? 0; set => Cold.ResolvedAtNs = value; }
    public AlertSeverity Severity { get => _cold?.Severity ?? default; set => Cold.Severity = value; }
    public double LastValue { get => _cold?.LastValue ?? double.NaN; set => Cold.LastValue = value; }
    public bool Flapping { get => _cold?.Flapping ?? false; set => Cold.Flapping = value; }

    /// <summary>Times of recent firing/resolved transitions (flapping detection), a small ring.</summary>
    public long[] Transitions { get => _cold?.Transitions ?? []; set => Cold.Transitions = value; }
    public int TransitionCount { get => _cold?.TransitionCount ?? 0; set => Cold.TransitionCount = value; }
    public string? Fingerprint { get => _cold?.Fingerprint; set => Cold.Fingerprint = value; }

    /// <summary>The stream sequence that began the current episode (see <see cref="Alert.EpisodeOrigin"/>), 0 unknown.</summary>
    public long EpisodeOrigin { get => _cold?.EpisodeOrigin ?? 0; set => Cold.EpisodeOrigin = value; }
    public IReadOnlyDictionary<string, string>? Labels { get => _cold?.Labels; set => Cold.Labels = value; }
    public IReadOnlyDictionary<string, string>? Annotations { get => _cold?.Annotations; set => Cold.Annotations = value; }

    private ColdState Cold => _cold ??= new ColdState();

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
        public long FiringSinceNs;
        public long ResolvedAtNs;
        public AlertSeverity Severity;
        public double LastValue = double.NaN;
        public bool Flapping;
        public long[] Transitions = [];
        public int TransitionCount;
        public string? Fingerprint;
        public long EpisodeOrigin;
        public IReadOnlyDictionary<string, string>? Labels;
        public IReadOnlyDictionary<string, string>? Annotations;
    }
}
