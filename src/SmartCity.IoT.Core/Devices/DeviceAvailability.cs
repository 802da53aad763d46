namespace SmartCity.IoT.Core.Devices;

/// <summary>
/// What a device's availability messages say about it. Profiles map their words (Homie's <c>ready</c>, <c>lost</c>,
/// <c>sleeping</c>, a last will's <c>offline</c>, ...) onto these.
/// </summary>
public enum DeviceAvailability
{
    /// <summary>Reachable and reporting (also the state of a device that never sent an availability message).</summary>
    Online,

    /// <summary>Gone: a clean disconnect, a last will, a Sparkplug DEATH. Staleness rules fire at once.</summary>
    Offline,

    /// <summary>Announced it sleeps (a battery device): alive, silent by design; staleness counts from the announcement.</summary>
    Sleeping,

    /// <summary>A state the device reported that says neither (Homie's <c>alert</c>, say): nothing changes for the rules.</summary>
    Unknown,
}
