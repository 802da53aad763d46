using SmartCity.IoT.Core.Devices;

namespace SmartCity.IoT.Core.Places;

/// <summary>
/// Where the model file puts devices: device ids listed on a place (or in <c>placement:</c> with <c>device:</c> and no
/// glob) first, then the tag rules in file order. Immutable, so any thread may ask.
/// </summary>
public sealed class Placement
{
    private readonly IReadOnlyDictionary<string, Place> _byDevice;
    private readonly Func<string, Place?> _find;

    public Placement(IReadOnlyDictionary<string, Place> byDevice, IReadOnlyList<PlacementRule> rules, Func<string, Place?> find)
    {
        _byDevice = byDevice;
        Rules = rules;
        _find = find;
    }

    /// <summary>Devices placed by id.</summary>
    public IReadOnlyDictionary<string, Place> ByDevice => _byDevice;

    public IReadOnlyList<PlacementRule> Rules { get; }

    public Place? PlaceOf(DeviceState device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return PlaceOf(device.Profile.Id, device.Profile.Family, device.DeviceId, device.TopicTags, out _);
    }

    /// <summary>The place of a device described by its profile, family, id and tags; <paramref name="rule"/> is the rule that placed it (null for an id).</summary>
    public Place? PlaceOf(string profileId, string family, string deviceId, IReadOnlyList<KeyValuePair<string, string>> tags, out PlacementRule? rule)
    {
        rule = null;
        if (_byDevice.TryGetValue(deviceId, out var listed)
            || (PlacementRule.TagValue(tags, PlacementRule.DeviceKey) is { } tagged && _byDevice.TryGetValue(tagged, out listed)))
        {
            return listed;
        }

        foreach (var r in Rules)
        {
            if (r.Matches(profileId, family, deviceId, tags) && r.PlaceIdFor(deviceId, tags) is { } id && _find(id) is { } place)
            {
                rule = r;
                return place;
            }
        }

        return null;
    }
}
