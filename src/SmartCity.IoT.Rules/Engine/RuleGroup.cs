using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using SmartCity.IoT.Rules.Compilation;
using SmartCity.IoT.Rules.Evaluation;

namespace SmartCity.IoT.Rules.Engine;

/// <summary>
/// The devices that match the same list of rules (in practice: one family): the compiled rules, shared by all of them
/// (they stay in cache), and one <see cref="MemberArena"/> block per device (a member, with a dense number) holding
/// what a reading of it updates, in this order: the quiet and idle masks of its states, their steady levels, the
/// absent() clocks, the headers of all windows, then the windows' rings. Per rule with windows or absent() a
/// <see cref="RuleLane"/> addresses its part. Groups are rebuilt on reload and restore.
/// </summary>
internal sealed unsafe class RuleGroup
{
    public const byte NotSteady = byte.MaxValue;

    private readonly MemberArena _arena;
    private readonly int _steadyOffset;
    private readonly int _steadyLongs;

    public RuleGroup(CompiledRule[] rules, RuleEngineOptions options)
    {
        Rules = rules;
        ReadFields = rules.SelectMany(r => r.TriggerFields).Distinct().Order().ToArray();
        Lanes = new RuleLane?[rules.Length];
        MaskWords = (rules.Length + 63) / 64;
        _steadyOffset = 2 * MaskWords;
        _steadyLongs = (rules.Length + 7) / 8;
        var absent = 0;
        var windows = 0;
        var rings = 0;
        foreach (var rule in rules)
        {
            absent += rule.AbsentFields.Length;
            windows += rule.Windows.Length;
            foreach (var spec in rule.Windows)
            {
                rings += RingLongs(spec, options);
            }
        }

        _arena = new MemberArena(_steadyOffset + _steadyLongs + absent + (windows * WindowStore.HeaderLongs) + rings);
        var absentOffset = _steadyOffset + _steadyLongs;
        var headerOffset = absentOffset + absent;
        var ringOffset = headerOffset + (windows * WindowStore.HeaderLongs);
        for (var s = 0; s < rules.Length; s++)
        {
            var rule = rules[s];
            if (rule.Windows.Length == 0 && rule.AbsentFields.Length == 0)
            {
                continue;
            }

            var stores = new WindowStore[rule.Windows.Length];
            for (var w = 0; w < stores.Length; w++)
            {
                var width = options.BucketWidthNs(rule.Windows[w].DurationNs);
                stores[w] = new WindowStore(_arena, headerOffset, ringOffset, options.InitialWindowCapacity, options.MaxWindowSamples, width, options.WindowBuckets);
                headerOffset += WindowStore.HeaderLongs;
                ringOffset += RingLongs(rule.Windows[w], options);
            }

            Lanes[s] = new RuleLane(_arena, stores, absentOffset, rule.AbsentFields.Length);
            absentOffset += rule.AbsentFields.Length;
        }
    }

    public CompiledRule[] Rules { get; }

    private static int RingLongs(WindowSpec spec, RuleEngineOptions options) =>
        WindowStore.RingLongs(options.InitialWindowCapacity, options.MaxWindowSamples, options.BucketWidthNs(spec.DurationNs) > 0);

    /// <summary>Per rule (same index as <see cref="Rules"/>): its windows and absent() clocks, or null when it has neither.</summary>
    public RuleLane?[] Lanes { get; }

    public int Members => _arena.Members;

    /// <summary>64-bit words per mask: one bit per rule, so any number of rules has its own bit.</summary>
    public int MaskWords { get; }

    /// <summary>
    /// Member <paramref name="m"/>'s skip hints: <see cref="MaskWords"/> words of the quiet mask, then as many of the idle
    /// mask. Bit s of the quiet mask (word s / 64, bit s % 64) is set when state s is quiet: its rule has no windows and no
    /// absent(), and it is inactive or resolved; the engine then evaluates the rule without reading its state. Bit s of the
    /// idle mask is set when state s is inactive or resolved (any rule): a window or absent() rule reads its state only
    /// when its condition holds or this bit is clear. Kept in step with every phase change by <see cref="SlotMasks"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<ulong> Masks(int m) => MemoryMarshal.Cast<long, ulong>(_arena.Slice(m * _arena.Stride, _steadyOffset));

    /// <summary>
    /// Per rule of member <paramref name="m"/>: the level of a steady firing state (firing, not clearing), else
    /// <see cref="NotSteady"/>. A reading whose condition holds at that level changes nothing, so the engine skips the
    /// state (kept in step with every phase change, like <see cref="Masks"/>).
    /// </summary>
    public Span<byte> SteadyLevels(int m) =>
        MemoryMarshal.AsBytes(_arena.Slice((m * _arena.Stride) + _steadyOffset, _steadyLongs))[..Rules.Length];

    /// <summary>The field ids the group's rules read (their latest values are prefetched with the member's block).</summary>
    public int[] ReadFields { get; }

    /// <summary>
    /// Asks the CPU for member <paramref name="m"/>'s block before a reading needs it. With 10,000 devices its lines are
    /// cache misses; issued together they overlap (about one memory latency) instead of following one another rule by
    /// rule. The engine calls this before it reads the device's slot, which is a miss of its own.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(int m)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        var block = _arena.Slice(m * _arena.Stride, _arena.Stride);
        fixed (long* p = block)
        {
            var bytes = block.Length * sizeof(long);
            for (var offset = 0; offset < bytes; offset += 64)
            {
                Sse.Prefetch0((byte*)p + offset);
            }

            Sse.Prefetch0((byte*)p + bytes - 1);
        }
    }

    /// <summary>Asks the CPU for the lines of <paramref name="latest"/> (a device's latest values) that the rules read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchLatest(double[] latest)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        fixed (double* v = latest)
        {
            foreach (var id in ReadFields)
            {
                if ((uint)id < (uint)latest.Length)
                {
                    Sse.Prefetch0(v + id);
                }
            }
        }
    }

    public int AddMember()
    {
        var m = _arena.AddMember();
        foreach (var lane in Lanes)
        {
            lane?.AddMember(m);
        }

        SteadyLevels(m).Fill(NotSteady);
        return m;
    }
}
