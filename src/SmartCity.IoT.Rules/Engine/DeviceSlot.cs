using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Rules.Evaluation;

namespace SmartCity.IoT.Rules.Engine;

/// <summary>
/// The engine's record of one device: identity (kept in checkpoints, so state survives a restart before the device
/// is seen again), receive time, and the states of the rules that match it.
/// <para>
/// What every reading reads or writes is in this object's own fields (about 64 bytes, one cache line) and in its block of
/// the rule group (skip hints, windows: see <see cref="RuleGroup.Masks"/>); the identity and the rest are one reference
/// away, read on transitions and timers only.
/// </para>
/// </summary>
internal sealed class DeviceSlot(string profileId, string family, string deviceId, KeyValuePair<string, string>[] tags)
{
    /// <summary><c>Device.Latest</c>, held here so a reading reaches the values without first loading the device state.</summary>
    public double[] Latest = [];

    /// <summary>The group of devices matching the same rules: holds this device's windows and absent() clocks.</summary>
    public RuleGroup? Group;

    public KeyValuePair<string, string>[] Tags = tags;

    public RuleState[] Thresholds = [];

    private readonly Cold _cold = new(profileId, family, deviceId);

    /// <summary>Gateway time of the last message (receive-time semantics), Unix ns.</summary>
    public long LastReceivedNs;

    /// <summary>
    /// The timestamp of the newest reading the rule state reflects (Unix ns, kept in checkpoints, raised from the outbox
    /// at start): a redelivered reading not newer than it already had its effect and is not evaluated again.
    /// </summary>
    public long EvaluatedUpToNs;

    /// <summary>
    /// The stream sequence of the newest message of this device the rule state reflects (0: none, or a source that does
    /// not number its messages). Kept in checkpoints: a message at or before it is not evaluated again.
    /// </summary>
    public long LastSequence;

    /// <summary>The partition the device's messages come from (-1: an unpartitioned source); its state is saved and handed over with it.</summary>
    public int Partition = -1;

    /// <summary>This device's member number in <see cref="Group"/>.</summary>
    public int Member;

    /// <summary>The device's place in the building model (what <c>place.*</c> and <c>during: occupied</c> read), or null.</summary>
    public PlaceBinding? Place;

    /// <summary>Number of staleness alerts firing, so a reading checks them only when there is something to resolve.</summary>
    public int StaleFiring;

    /// <summary>Set when something happened to the device since the timers last looked at it (see <see cref="RuleTimers"/>).</summary>
    public bool TimersDirty;

    /// <summary>The earliest time the device waits for in the timers' queue, <see cref="long.MaxValue"/> when it is in none.</summary>
    public long QueuedDueNs { get => _cold.QueuedDueNs; set => _cold.QueuedDueNs = value; }

    public string ProfileId => _cold.ProfileId;
    public string Family => _cold.Family;
    public string DeviceId => _cold.DeviceId;

    /// <summary>Null until the device is seen in this process (a slot restored from a checkpoint).</summary>
    public DeviceState? Device { get => _cold.Device; set => _cold.Device = value; }

    /// <summary>The rule of each of <see cref="Thresholds"/>, in the same order; shared between devices that match the same rules.</summary>
    public Compilation.CompiledRule[] Rules => Group?.Rules ?? [];

    public RuleState[] Staleness { get => _cold.Staleness; set => _cold.Staleness = value; }

    /// <summary>
    /// Set when an offline availability message fired staleness; cleared when the device is reported online again.
    /// Keeps a device whose last-will said offline but which still sends from firing and resolving every second.
    /// </summary>
    public bool OfflineLatched { get => _cold.OfflineLatched; set => _cold.OfflineLatched = value; }

    public static string Key(string profileId, string deviceId) => profileId + "\n" + deviceId;

    /// <summary>What state <paramref name="s"/> evaluates against off the hot path (timers, status page).</summary>
    public EvalContext Context(int s, double[] latest, long now)
    {
        var lanes = Group?.Lanes;
        return new EvalContext(latest, now, Tags, lanes is not null && s < lanes.Length ? lanes[s] : null, Member, Place);
    }

    private sealed class Cold(string profileId, string family, string deviceId)
    {
        public string ProfileId { get; } = profileId;
        public string Family { get; } = family;
        public string DeviceId { get; } = deviceId;
        public DeviceState? Device { get; set; }
        public RuleState[] Staleness { get; set; } = [];
        public bool OfflineLatched { get; set; }
        public long QueuedDueNs { get; set; } = long.MaxValue;
    }
}
