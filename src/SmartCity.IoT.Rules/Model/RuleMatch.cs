namespace SmartCity.IoT.Rules.Model;

/// <summary>
/// Which devices a rule sees. Every given criterion must hold; within one criterion any pattern may match.
/// Evaluated once per (rule, device) on first sight: device tags are stable.
/// </summary>
public sealed class RuleMatch
{
    public static readonly RuleMatch All = new([], [], [], new Dictionary<string, IReadOnlyList<string>>());

    public RuleMatch(IReadOnlyList<string> families, IReadOnlyList<string> profiles, IReadOnlyList<string> devices, IReadOnlyDictionary<string, IReadOnlyList<string>> tags)
    {
        Families = families;
        Profiles = profiles;
        Devices = devices;
        Tags = tags;
    }

    public IReadOnlyList<string> Families { get; }

    public IReadOnlyList<string> Profiles { get; }

    public IReadOnlyList<string> Devices { get; }

    /// <summary>Tag name to accepted patterns; a device without the tag does not match.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Tags { get; }

    public bool Matches(string profileId, string family, string deviceId, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        if (Families.Count > 0 && !Wildcard.AnyMatch(family, Families))
        {
            return false;
        }

        if (Profiles.Count > 0 && !Wildcard.AnyMatch(profileId, Profiles))
        {
            return false;
        }

        if (Devices.Count > 0 && !Wildcard.AnyMatch(deviceId, Devices))
        {
            return false;
        }

        foreach (var (name, patterns) in Tags)
        {
            string? value = null;
            foreach (var kv in tags)
            {
                if (string.Equals(kv.Key, name, StringComparison.Ordinal))
                {
                    value = kv.Value;
                    break;
                }
            }

            if (value is null || !Wildcard.AnyMatch(value, patterns))
            {
                return false;
            }
        }

        return true;
    }
}
