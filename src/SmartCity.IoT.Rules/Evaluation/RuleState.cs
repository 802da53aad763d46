using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Rules.Compilation;
using SmartCity.IoT.Rules.Engine;

namespace SmartCity.IoT.Rules.Evaluation;

/// <summary>Everything the engine keeps for one (rule, device): preallocated when the device is first seen.</summary>
internal sealed class RuleState
{
    /// <summary>Creates the state; windows come from <see cref="AllocateWindows"/>, called after all of a device's states exist.</summary>
    public RuleState(CompiledRule rule)
    {
        Rule = rule;
        AbsentSeenNs = rule.AbsentFields.Length == 0 ? [] : new long[rule.AbsentFields.Length];
    }

    public RuleState(CompiledRule rule, int initialWindowCapacity, int maxWindowSamples)
        : this(rule)
    {
        AllocateWindows(initialWindowCapacity, maxWindowSamples);
    }

    public void AllocateWindows(int initialWindowCapacity, int maxWindowSamples)
    {
        var windows = Rule.Windows.Length == 0 ? [] : new WindowBuffer[Rule.Windows.Length];
        for (var i = 0; i < windows.Length; i++)
        {
            windows[i] = new WindowBuffer(initialWindowCapacity, maxWindowSamples);
        }

        Windows = windows;
    }

    // Hot fields, read on every evaluation, in a small object (about 80 bytes). The rest lives in a ColdState created at
    // the first transition, so 10,000 devices x their rules occupy as few cache lines as possible.
    public CompiledRule Rule;

    /// <summary>The first window, held directly: most window rules have one, and this saves a cache miss per reading.</summary>
    private WindowBuffer? _window0;
    private WindowBuffer[] _windows = [];
    public long[] AbsentSeenNs;
    private ColdState? _cold;
    public long PendingSinceNs;

    /// <summary>When the clear condition started holding while firing (0 = not clearing); keep_firing_for counts from here.</summary>
    public long ClearSinceNs;

    /// <summary>Last outcome of the firing condition: 1, 0 or NaN (unknown).</summary>
    public double LastFire = double.NaN;

    public RulePhase Phase;
    public int LevelIndex;

    public WindowBuffer[] Windows
    {
        get => _windows;
        set
        {
            _windows = value;
            _window0 = value.Length > 0 ? value[0] : null;
        }
    }

    public WindowBuffer Window(int slot) => slot == 0 ? _window0! : _windows[slot];

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
        public IReadOnlyDictionary<string, string>? Labels;
        public IReadOnlyDictionary<string, string>? Annotations;
    }
}
