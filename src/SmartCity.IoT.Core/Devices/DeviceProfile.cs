using System.Text;

namespace SmartCity.IoT.Core.Devices;

/// <summary>
/// A compiled device profile: identity plus everything the hot path needs precomputed.
/// Built by SmartCity.IoT.Devices from a profile file; the decoding parts are attached there.
/// </summary>
public sealed partial class DeviceProfile
{
    public DeviceProfile(string id, string vendor, string model, string family)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(family);
        Id = id;
        Vendor = vendor;
        Model = model;
        Family = family;
        IdMemory = id.AsMemory();
        MeasurementUtf8 = Encoding.UTF8.GetBytes(family);
    }

    /// <summary><c>vendor/model</c>, equal to the file's path under devices/ without extension.</summary>
    public string Id { get; }

    public ReadOnlyMemory<char> IdMemory { get; }

    public string Vendor { get; }

    public string Model { get; }

    /// <summary>Device family (environment, aircon, occupancy, inspection, water_quality, construction, parking, toilet, …); also the InfluxDB measurement.</summary>
    public string Family { get; }

    public byte[] MeasurementUtf8 { get; }

    /// <summary>The source (a configured MQTT connection's name) this profile's devices publish to; null = any source.</summary>
    public string? Source { get; init; }

    /// <summary>What to do with retained messages on this profile's telemetry topics (availability always takes them: that is current state).</summary>
    public RetainedPolicy Retained { get; init; }

    /// <summary>Dense index among loaded profiles, assigned by the catalog; used by the rule engine to match without string compares.</summary>
    public int Index { get; set; } = -1;
}
