namespace SmartCity.IoT.Core.Devices;

/// <summary>The lower-case names of <see cref="DeviceAvailability"/> (status page, samples, command line).</summary>
public static class DeviceAvailabilityNames
{
    public static string Name(this DeviceAvailability availability) => availability switch
    {
        DeviceAvailability.Online => "online",
        DeviceAvailability.Offline => "offline",
        DeviceAvailability.Sleeping => "sleeping",
        _ => "unknown",
    };

    /// <summary>Parses a name (or <c>true</c>/<c>false</c> for online/offline), case-insensitively.</summary>
    public static bool TryParse(string text, out DeviceAvailability availability)
    {
        availability = text.ToLowerInvariant() switch
        {
            "online" or "true" => DeviceAvailability.Online,
            "offline" or "false" => DeviceAvailability.Offline,
            "sleeping" => DeviceAvailability.Sleeping,
            "unknown" => DeviceAvailability.Unknown,
            _ => (DeviceAvailability)(-1),
        };
        return availability >= 0;
    }
}
