using System.Text;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Rules.Compilation;
using SmartCity.IoT.Rules.Evaluation;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Rules.Engine;

/// <summary>
/// Binary checkpoint of the engine's state. Written whole every N seconds by the host (not per message); devices are
/// identified by profile id and device id, rules by name and content hash, so it survives registry re-numbering and rule edits.
/// </summary>
internal static class RuleCheckpoint
{
    private const int Magic = 0x43524353; // "SCRC"
    private const int Version = 3; // 3 added bucketed windows and the stream position (device, episode); 2 each device's EvaluatedUpToNs; 1 and 2 are still read

    public static void Write(Stream destination, IReadOnlyList<DeviceSlot> slots)
    {
        using var w = new BinaryWriter(destination, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(Version);
        w.Write(slots.Count);
        foreach (var slot in slots)
        {
            w.Write(slot.ProfileId);
            w.Write(slot.Family);
            w.Write(slot.DeviceId);
            w.Write(slot.Tags.Length);
            foreach (var (k, v) in slot.Tags)
            {
                w.Write(k);
                w.Write(v);
            }

            w.Write(slot.LastReceivedNs);
            w.Write(slot.EvaluatedUpToNs);
            w.Write(slot.LastSequence);
            w.Write(slot.Partition);
            // A state with nothing to remember (never active, no windows, no absent() clocks) is recreated fresh on
            // restore, so it is not written: most of 10,000 devices x their rules are like that. Windows and clocks
            // live in the device's rule group (lane of the same index as the state).
            var states = new List<(RuleState State, RuleLane? Lane)>();
            for (var i = 0; i < slot.Thresholds.Length; i++)
            {
                states.Add((slot.Thresholds[i], slot.Group?.Lanes[i]));
            }

            foreach (var s in slot.Staleness)
            {
                states.Add((s, null));
            }

            states.RemoveAll(e => IsBlank(e.State, e.Lane));
            w.Write(states.Count);
            foreach (var (s, lane) in states)
            {
                w.Write(s.RuleName);
                w.Write(s.DefinitionHash);
                w.Write((byte)s.Rule.Kind);
                w.Write((byte)s.Phase);
                w.Write(s.PendingSinceNs);
                w.Write(s.FiringSinceNs);
                w.Write(s.ClearSinceNs);
                w.Write(s.ResolvedAtNs);
                w.Write(s.LevelIndex);
                w.Write((byte)s.Severity);
                w.Write(s.LastFire);
                w.Write(s.LastValue);
                w.Write(s.Flapping);
                w.Write(s.Fingerprint ?? "");
                w.Write(s.EpisodeOrigin);
                w.Write(s.TransitionCount);
                for (var i = 0; i < s.TransitionCount; i++)
                {
                    w.Write(s.Transitions[i]);
                }

                WriteMap(w, s.Labels);
                WriteMap(w, s.Annotations);
                w.Write(lane?.Windows.Length ?? 0);
                foreach (var window in lane?.Windows ?? [])
                {
                    WriteWindow(w, window, slot.Member);
                }

                w.Write(lane?.AbsentFields ?? 0);
                for (var i = 0; i < (lane?.AbsentFields ?? 0); i++)
                {
                    w.Write(lane!.AbsentSeen(i, slot.Member));
                }
            }
        }

        w.Write(Magic);
    }

    private static bool IsBlank(RuleState s, RuleLane? lane) =>
        s.Phase == RulePhase.Inactive && s.ResolvedAtNs == 0 && s.TransitionCount == 0 && lane is null;

    public static List<(DeviceSlot Slot, List<RuleState> States)> Read(Stream source, RuleEngineOptions options)
    {
        try
        {
            return ReadCore(source, options);
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException("The rule checkpoint is truncated.", ex);
        }
    }

    private static List<(DeviceSlot, List<RuleState>)> ReadCore(Stream source, RuleEngineOptions options)
    {
        using var r = new BinaryReader(source, Encoding.UTF8, leaveOpen: true);
        if (r.ReadInt32() != Magic)
        {
            throw new InvalidDataException("Not a rule checkpoint.");
        }

        var version = r.ReadInt32();
        if (version is < 1 or > Version)
        {
            throw new InvalidDataException($"Rule checkpoint version {version} is not supported (expected {Version}).");
        }

        var result = new List<(DeviceSlot, List<RuleState>)>();
        var slotCount = r.ReadInt32();
        for (var n = 0; n < slotCount; n++)
        {
            var profileId = r.ReadString();
            var family = r.ReadString();
            var deviceId = r.ReadString();
            var tags = new KeyValuePair<string, string>[r.ReadInt32()];
            for (var i = 0; i < tags.Length; i++)
            {
                tags[i] = new KeyValuePair<string, string>(r.ReadString(), r.ReadString());
            }

            var slot = new DeviceSlot(profileId, family, deviceId, tags) { LastReceivedNs = r.ReadInt64() };
            if (version >= 2)
            {
                slot.EvaluatedUpToNs = r.ReadInt64();
            }

            if (version >= 3)
            {
                slot.LastSequence = r.ReadInt64();
                slot.Partition = r.ReadInt32();
            }

            var states = new List<RuleState>();
            var stateCount = r.ReadInt32();
            for (var k = 0; k < stateCount; k++)
            {
                var name = r.ReadString();
                var hash = r.ReadString();
                var kind = (RuleKind)r.ReadByte();
                var s = new RuleState(PlaceholderRule.Create(name, kind, hash))
                {
                    Phase = (RulePhase)r.ReadByte(),
                    PendingSinceNs = r.ReadInt64(),
                    FiringSinceNs = r.ReadInt64(),
                    ClearSinceNs = r.ReadInt64(),
                    ResolvedAtNs = r.ReadInt64(),
                    LevelIndex = r.ReadInt32(),
                    Severity = (AlertSeverity)r.ReadByte(),
                    LastFire = r.ReadDouble(),
                    LastValue = r.ReadDouble(),
                    Flapping = r.ReadBoolean(),
                };
                var fingerprint = r.ReadString();
                s.Fingerprint = fingerprint.Length == 0 ? null : fingerprint;
                if (version >= 3 && r.ReadInt64() is var origin and not 0)
                {
                    s.EpisodeOrigin = origin;
                }

                s.TransitionCount = r.ReadInt32();
                s.Transitions = new long[s.TransitionCount];
                for (var i = 0; i < s.TransitionCount; i++)
                {
                    s.Transitions[i] = r.ReadInt64();
                }

                s.Labels = ReadMap(r);
                s.Annotations = ReadMap(r);
                var windows = new WindowBuffer[r.ReadInt32()];
                for (var i = 0; i < windows.Length; i++)
                {
                    windows[i] = version >= 3 && r.ReadByte() == BucketedWindow ? ReadBuckets(r, options) : ReadSamples(r, options);
                }

                s.SavedWindows = windows;

                s.SavedAbsentSeenNs = new long[r.ReadInt32()];
                for (var i = 0; i < s.SavedAbsentSeenNs.Length; i++)
                {
                    s.SavedAbsentSeenNs[i] = r.ReadInt64();
                }

                states.Add(s);
            }

            result.Add((slot, states));
        }

        if (r.ReadInt32() != Magic)
        {
            throw new InvalidDataException("The rule checkpoint has no end marker (truncated or corrupt).");
        }

        return result;
    }

    // Each window (version 3): this byte, then its samples (count, then time and value each) or its buckets (width, count,
    // then each bucket's fields).
    private const byte ExactWindow = 0;
    private const byte BucketedWindow = 1;

    private static void WriteWindow(BinaryWriter w, WindowStore window, int m)
    {
        if (!window.IsBucketed)
        {
            w.Write(ExactWindow);
            var samples = window.Samples(m);
            w.Write(samples.Length);
            foreach (var (t, v) in samples)
            {
                w.Write(t);
                w.Write(v);
            }

            return;
        }

        w.Write(BucketedWindow);
        w.Write(window.BucketWidthNs);
        var count = window.BucketCount(m);
        w.Write(count);
        for (var i = 0; i < count; i++)
        {
            ref var b = ref window.BucketAt(m, i);
            w.Write(b.FirstTime);
            w.Write(b.LastTime);
            w.Write(b.First);
            w.Write(b.Last);
            w.Write(b.Sum);
            w.Write(b.Min);
            w.Write(b.Max);
            w.Write(b.Increase);
            w.Write(b.Count);
        }
    }

    private static WindowBuffer ReadSamples(BinaryReader r, RuleEngineOptions options)
    {
        var count = r.ReadInt32();
        var window = WindowBuffer.Holding(count, options.InitialWindowCapacity, options.MaxWindowSamples);
        for (var j = 0; j < count; j++)
        {
            window.Add(r.ReadInt64(), r.ReadDouble());
        }

        return window;
    }

    private static WindowBuffer ReadBuckets(BinaryReader r, RuleEngineOptions options)
    {
        var width = r.ReadInt64();
        if (width <= 0)
        {
            throw new InvalidDataException($"The rule checkpoint has a bucketed window of width {width} ns.");
        }

        var window = new WindowBuffer(options.InitialWindowCapacity, options.MaxWindowSamples, width, options.WindowBuckets);
        var count = r.ReadInt32();
        for (var j = 0; j < count; j++)
        {
            window.AddBucket(new WindowBucket
            {
                FirstTime = r.ReadInt64(),
                LastTime = r.ReadInt64(),
                First = r.ReadDouble(),
                Last = r.ReadDouble(),
                Sum = r.ReadDouble(),
                Min = r.ReadDouble(),
                Max = r.ReadDouble(),
                Increase = r.ReadDouble(),
                Count = r.ReadInt32(),
            });
        }

        return window;
    }

    private static void WriteMap(BinaryWriter w, IReadOnlyDictionary<string, string>? map)
    {
        if (map is null)
        {
            w.Write(-1);
            return;
        }

        w.Write(map.Count);
        foreach (var (k, v) in map)
        {
            w.Write(k);
            w.Write(v);
        }
    }

    private static Dictionary<string, string>? ReadMap(BinaryReader r)
    {
        var count = r.ReadInt32();
        if (count < 0)
        {
            return null;
        }

        var map = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            map[r.ReadString()] = r.ReadString();
        }

        return map;
    }
}
