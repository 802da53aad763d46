using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Devices;

namespace SmartCity.IoT.Gateway.Status.Buildings;

/// <summary>Places from device tags named in <c>Status:Hierarchy</c>; the first missing tag ends the path (no first tag: "(no building)", then the family).</summary>
internal sealed class TagPlaceHierarchy(IOptions<StatusOptions> options) : IPlaceHierarchy
{
    /// <summary>The place of devices without the outermost tag.</summary>
    public const string Unplaced = "(no building)";

    private readonly string[] _levels = options.Value.Hierarchy;

    public IReadOnlyList<string> LevelNames => _levels;

    // A device's tags never change, so neither does its place: worked out once, not once per page for every device.
    private readonly ConditionalWeakTable<DeviceState, string[]> _places = new();

    public IReadOnlyList<string> PlaceOf(DeviceState device) => _places.GetValue(device, Find);

    public string? PlaceIdOf(string path) => null;

    private string[] Find(DeviceState device)
    {
        var path = new List<string>(_levels.Length);
        foreach (var level in _levels)
        {
            if (Tag(device, level) is not { Length: > 0 } value)
            {
                break;
            }

            path.Add(value);
        }

        if (path.Count == 0)
        {
            // Grouped by family, so thousands of unplaced sensors do not make one flat list.
            path.Add(Unplaced);
            path.Add(device.Profile.Family);
        }

        return [.. path];
    }

    private static string? Tag(DeviceState device, string name)
    {
        foreach (var kv in device.Tags)
        {
            if (string.Equals(kv.Key, name, StringComparison.Ordinal))
            {
                return kv.Value;
            }
        }

        return null;
    }
}
