using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Rules.Compilation;
using SmartCity.IoT.Rules.Loading;
using SmartCity.IoT.Rules.Model;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Rules.Tests.Support;

/// <summary>
/// The shipped device catalog (devices/) and the shipped rules (config/rules) compiled against its vocabulary, as the
/// gateway loads them, plus what each profile can give a rule: the fields it decodes and the tags its readings carry.
/// </summary>
internal static class ShippedCatalog
{
    private static readonly Lazy<(DeviceCatalog Catalog, RuleSet Rules)> Loaded = new(() =>
    {
        var catalog = DeviceCatalog.Load(RepoPaths.Devices);
        return (catalog, RuleLoader.LoadDirectory(RepoPaths.Rules, catalog.Vocabulary));
    });

    public static DeviceCatalog Catalog => Loaded.Value.Catalog;

    public static RuleSet Rules => Loaded.Value.Rules;

    public static CompiledRule Rule(string name) => Rules.Compiled.Single(r => r.Name == name);

    /// <summary>Field ids the profile decodes.</summary>
    public static IReadOnlySet<int> Fields(DeviceProfile profile) => profile.Decoding.Fields.Select(f => f.FieldId).ToHashSet();

    /// <summary>
    /// Tags of a reading decoded from the profile's first (primary) topic template, as <see cref="MessageDecoder"/> adds
    /// them: every named level but <c>{field}</c>, then <c>device</c>, <c>model</c> and the payload tags.
    /// </summary>
    public static IReadOnlyList<string> TagNames(DeviceProfile profile)
    {
        var template = profile.Decoding.Topics[0];
        var names = template.Segments.Where((s, i) => s.IsNamed && i != template.FieldIndex).Select(s => s.Name!).ToList();
        names.Add(MessageDecoder.DeviceTag);
        names.Add(MessageDecoder.ModelTag);
        names.AddRange(profile.Decoding.PayloadTags.Select(t => t.Key));
        return names.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Whether the rule's match can select a device of the profile (device patterns aside: any id can be chosen).</summary>
    public static bool Selects(CompiledRule rule, DeviceProfile profile)
    {
        var match = rule.Definition.Match;
        var tags = TagNames(profile);
        return (match.Families.Count == 0 || Wildcard.AnyMatch(profile.Family, match.Families))
            && (match.Profiles.Count == 0 || Wildcard.AnyMatch(profile.Id, match.Profiles))
            && match.Tags.Keys.All(t => tags.Contains(t, StringComparer.Ordinal));
    }

    /// <summary>Fields named anywhere in the rule's expressions (thresholds, clear, value, windows, absent()).</summary>
    public static IReadOnlySet<int> ExpressionFields(CompiledRule rule) => rule.TriggerFields.Concat(rule.AbsentFields).ToHashSet();

    /// <summary>
    /// Why the rule cannot fire on the profile with every template hole filled: empty when it can. A staleness rule needs
    /// no field; a threshold rule needs every field its expressions name; labels and annotations need their fields and tags.
    /// </summary>
    public static List<string> Misfits(CompiledRule rule, DeviceProfile profile)
    {
        var vocabulary = Catalog.Vocabulary;
        var reasons = new List<string>();
        if (!Selects(rule, profile))
        {
            reasons.Add("its match does not select the profile");
            return reasons;
        }

        var fields = Fields(profile);
        foreach (var id in ExpressionFields(rule).Where(id => !fields.Contains(id)))
        {
            reasons.Add($"needs field {vocabulary[id].Name}, which the profile does not decode");
        }

        var tags = TagNames(profile);
        foreach (var name in rule.Labels.Values.Concat(rule.Annotations.Values).SelectMany(t => t.Names).Distinct(StringComparer.Ordinal))
        {
            if (Template.IsBuiltin(name) || name.StartsWith("place.", StringComparison.Ordinal))
            {
                continue;
            }

            if (vocabulary.TryGet(name, out var field))
            {
                if (!fields.Contains(field.Id))
                {
                    reasons.Add($"its templates show field {name}, which the profile does not decode");
                }
            }
            else if (!tags.Contains(name, StringComparer.Ordinal))
            {
                reasons.Add($"its templates show tag {name}, which the profile's readings do not carry (tags: {string.Join(", ", tags)})");
            }
        }

        return reasons;
    }

    /// <summary>Profiles on which the rule can fire with every template hole filled, in id order.</summary>
    public static IReadOnlyList<DeviceProfile> FittingProfiles(CompiledRule rule) => Catalog.Profiles.Where(p => Misfits(rule, p).Count == 0).ToList();

    /// <summary>A plausible value for a tag (the simulator's kind of names), so rendered summaries can be checked.</summary>
    public static string TagValue(string name, DeviceProfile profile) => name switch
    {
        MessageDecoder.ModelTag => profile.Id,
        "building" => "hq",
        "floor" => "3",
        "zone" => "expo-hall-east",
        "site" => "kai-tak-p3",
        "level" => "B2",
        _ => name.Replace('_', '-') + "-1",
    };
}
