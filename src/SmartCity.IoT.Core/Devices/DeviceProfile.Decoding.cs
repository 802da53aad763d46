using SmartCity.IoT.Core.Decoding;

namespace SmartCity.IoT.Core.Devices;

/// <summary>The decoding half of a profile, attached by the loader once it is compiled.</summary>
public sealed partial class DeviceProfile
{
    private ProfileDecoding? _decoding;

    public string Description { get; init; } = "";

    /// <summary>Firmware notes from the profile (which versions send what).</summary>
    public string Firmware { get; init; } = "";

    /// <summary>The file the profile came from (for messages), if any.</summary>
    public string? SourcePath { get; init; }

    public ProfileDecoding Decoding => _decoding ?? throw new InvalidOperationException($"Profile '{Id}' has no decoding attached.");

    public bool HasDecoding => _decoding is not null;

    public void AttachDecoding(ProfileDecoding decoding)
    {
        ArgumentNullException.ThrowIfNull(decoding);
        if (_decoding is not null)
        {
            throw new InvalidOperationException($"Profile '{Id}' already has decoding attached.");
        }

        _decoding = decoding;
    }
}
