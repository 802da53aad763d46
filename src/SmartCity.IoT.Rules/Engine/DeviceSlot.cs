using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Rules.Evaluation;

namespace SmartCity.IoT.Rules.Engine;

/// <summary>
/// The engine's record of one device: identity (kept in checkpoints, so state survives a restart before the device
/// is seen again), receive time, and the states of the rules that match it.
/// </summary>
internal sealed class DeviceSlot(string profileId, string family, string deviceId, KeyValuePair<string, string>[] tags)
{
    public string ProfileId { get; } = profileId;
    public string Family { get; } = family;
    public string DeviceId { get; } = deviceId;
    public KeyValuePair<string, string>[] Tags { get; set; } = tags;

    /// <summary>Null until the device is seen in this process (a slot restored from a checkpoint).</summary>
    public DeviceState? Device { get; set; }

    /// <summary><c>Device.Latest</c>, held here so a reading reaches the values without first loading the device state.</summary>
    public double[] Latest { get; set; } = [];

    /// <summary>Gateway time of the last message (receive-time semantics), Unix ns.</summary>
    public long LastReceivedNs { get; set; }

    public RuleState[] Thresholds { get; set; } = [];

    /// <summary>The rule of each of <see cref="Thresholds"/>, in the same order; shared between devices that match the same rules.</summary>
    public Compilation.CompiledRule[] Rules { get; set; } = [];

    /// <summary>
    /// Bit s set when <c>Thresholds[s]</c> is quiet: its rule has no windows and no absent(), and it is inactive or
    /// resolved. The engine evaluates such a rule without reading its state (kept in step with every phase change).
    /// </summary>
    public ulong QuietMask;

    public RuleState[] Staleness { get; set; } = [];

    /// <summary>
    /// Set when an offline availability message fired staleness; cleared when the device is reported online again.
    /// Keeps a device whose last-will said offline but which still sends from firing and resolving every second.
    /// </summary>
    public bool OfflineLatched { get; set; }

    /// <summary>Number of staleness alerts firing, so a reading checks them only when there is something to resolve.</summary>
    public int StaleFiring { get; set; }

    public static string Key(string profileId, string deviceId) => profileId + "\n" + deviceId;
}
