using System.IO.Enumeration;
using System.Text;
using SmartCity.IoT.Core.Devices;

namespace SmartCity.IoT.Core.Places;

/// <summary>
/// One line of the model's <c>placement:</c>: the devices whose profile, family, device id and topic tags match every
/// condition (each a glob: <c>*</c> and <c>?</c>) go to <see cref="Place"/>, a place id or a template over the device's
/// tags (<c>"{building}-{floor}"</c>). Rules are tried in file order; the first that matches and names an existing
/// place wins.
/// </summary>
public sealed class PlacementRule
{
    /// <summary>Condition keys that are not topic tags.</summary>
    public const string ProfileKey = "profile";
    public const string FamilyKey = "family";
    public const string DeviceKey = "device";

    public PlacementRule(IReadOnlyList<KeyValuePair<string, string>> conditions, string place, int line, int column)
    {
        Conditions = conditions;
        Place = place;
        Line = line;
        Column = column;
        TemplateTags = TemplateNames(place);
    }

    /// <summary>Key and glob pairs, all of which must match.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Conditions { get; }

    /// <summary>The place id, or a template with <c>{tag}</c> parts.</summary>
    public string Place { get; }

    /// <summary>The tag names the <see cref="Place"/> template uses (empty for a plain id).</summary>
    public IReadOnlyList<string> TemplateTags { get; }

    public int Line { get; }

    public int Column { get; }

    /// <summary>Whether every condition holds for a device of <paramref name="profileId"/> in <paramref name="family"/> with these tags.</summary>
    public bool Matches(string profileId, string family, string deviceId, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        foreach (var (key, pattern) in Conditions)
        {
            var value = key switch
            {
                ProfileKey => profileId,
                FamilyKey => family,
                DeviceKey => deviceId,
                _ => TagValue(tags, key),
            };
            if (value is null || !FileSystemName.MatchesSimpleExpression(pattern, value, ignoreCase: false))
            {
                return false;
            }
        }

        return true;
    }

    public bool Matches(DeviceState device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return Matches(device.Profile.Id, device.Profile.Family, device.DeviceId, device.TopicTags);
    }

    /// <summary>The place id this rule names for a device with these tags, or null when the template uses a tag it lacks.</summary>
    public string? PlaceIdFor(string deviceId, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        if (TemplateTags.Count == 0)
        {
            return Place;
        }

        var id = new StringBuilder(Place.Length + 16);
        var i = 0;
        while (i < Place.Length)
        {
            var open = Place.IndexOf('{', i);
            if (open < 0)
            {
                id.Append(Place, i, Place.Length - i);
                break;
            }

            var close = Place.IndexOf('}', open);
            id.Append(Place, i, open - i);
            var name = Place[(open + 1)..close];
            var value = name == DeviceKey ? TagValue(tags, name) ?? deviceId : TagValue(tags, name);
            if (value is null)
            {
                return null;
            }

            id.Append(value);
            i = close + 1;
        }

        return id.ToString();
    }

    public override string ToString() =>
        $"{{ {string.Join(", ", Conditions.Select(c => $"{c.Key}: {c.Value}"))} }} -> {Place}";

    internal static string? TagValue(IReadOnlyList<KeyValuePair<string, string>> tags, string key)
    {
        for (var i = 0; i < tags.Count; i++)
        {
            if (string.Equals(tags[i].Key, key, StringComparison.Ordinal))
            {
                return tags[i].Value;
            }
        }

        return null;
    }

    private static string[] TemplateNames(string place)
    {
        var names = new List<string>();
        var i = 0;
        while ((i = place.IndexOf('{', i)) >= 0)
        {
            var close = place.IndexOf('}', i);
            if (close < 0)
            {
                break;
            }

            names.Add(place[(i + 1)..close]);
            i = close + 1;
        }

        return [.. names];
    }
}
