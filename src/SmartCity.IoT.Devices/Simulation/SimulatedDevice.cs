using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Devices;

namespace SmartCity.IoT.Devices.Simulation;

/// <summary>One simulated device: its profile, topic segment values and its own daily-cycle phase.</summary>
internal sealed class SimulatedDevice
{
    internal SimulatedDevice(DeviceProfile profile, int number, IReadOnlyDictionary<string, string> segments, double phaseHours)
    {
        Profile = profile;
        Number = number;
        Segments = segments;
        PhaseHours = phaseHours;
    }

    public DeviceProfile Profile { get; }

    public int Number { get; }

    /// <summary>Values of the topic's named segments (building, floor, device, …).</summary>
    public IReadOnlyDictionary<string, string> Segments { get; }

    public string DeviceId => Segments.TryGetValue(Profile.Decoding.Topics[0].Segments[Profile.Decoding.Topics[0].DeviceIdIndex].Name!, out var id) ? id : "";

    internal double PhaseHours { get; }

    /// <summary>Crack width drift so inspection anomalies look like growth rather than noise.</summary>
    internal double Drift { get; set; }

    public string Topic(TopicTemplate template, string? fieldKey = null) =>
        template.Format(name => name == TopicTemplate.FieldSegmentName ? fieldKey ?? "" : Segments.TryGetValue(name, out var v) ? v : name);
}
