using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Devices;

namespace SmartCity.IoT.Devices.Simulation;

/// <summary>One simulated device: its profile, topic segment values and its own daily-cycle phase.</summary>
internal sealed class SimulatedDevice
{
    internal SimulatedDevice(DeviceProfile profile, int number, IReadOnlyDictionary<string, string> segments, double phaseHours, IReadOnlyList<int> anomalyFields)
    {
        AnomalyFields = anomalyFields;
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

    /// <summary>Vocabulary ids of the fields an anomaly episode can take.</summary>
    internal IReadOnlyList<int> AnomalyFields { get; }

    /// <summary>The field of the episode under way, or -1 between episodes.</summary>
    internal int EpisodeField { get; set; } = -1;

    /// <summary>Where in the field's anomaly band (0..1) the episode holds its value.</summary>
    internal double EpisodeLevel { get; set; }

    internal DateTimeOffset EpisodeEnd { get; set; }

    /// <summary>When the next episode starts (the end of the quiet gap).</summary>
    internal DateTimeOffset NextEpisode { get; set; }

    public string Topic(TopicTemplate template, string? fieldKey = null) =>
        template.Format(name => name == TopicTemplate.FieldSegmentName ? fieldKey ?? "" : Segments.TryGetValue(name, out var v) ? v : name);
}
