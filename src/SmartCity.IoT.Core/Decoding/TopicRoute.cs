using SmartCity.IoT.Core.Devices;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>One template the router knows: a profile's telemetry topic, or its availability topic.</summary>
public sealed record TopicRoute(TopicTemplate Template, DeviceProfile Profile, AvailabilityTopic? Availability)
{
    public bool IsAvailability => Availability is not null;
}
