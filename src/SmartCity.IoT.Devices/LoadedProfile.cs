using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Devices.Samples;

namespace SmartCity.IoT.Devices;

/// <summary>A compiled profile with its file, its samples and where its topics were written (for overlap errors).</summary>
internal sealed class LoadedProfile
{
    public required DeviceProfile Profile { get; init; }

    public required string FullPath { get; init; }

    public required string DisplayPath { get; init; }

    public required IReadOnlyList<ProfileSample> Samples { get; init; }

    /// <summary>What loads but is risky (a fixed binary layout that asserts nothing); <c>devices validate</c> prints them.</summary>
    public IReadOnlyList<Core.Loading.Diagnostic> Warnings { get; init; } = [];

    /// <summary>(template, line, column) of every telemetry and availability template.</summary>
    public required IReadOnlyList<(Core.Decoding.TopicTemplate Template, int Line, int Column)> TopicPositions { get; init; }
}
