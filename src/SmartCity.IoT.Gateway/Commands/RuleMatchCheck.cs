using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Gateway.Commands;

/// <summary>
/// Warnings for a rule's <c>match</c> terms that no loaded profile can satisfy (a family, profile id or tag name nobody has):
/// such a rule loads but never sees a reading.
/// </summary>
internal static class RuleMatchCheck
{
    public static List<Diagnostic> Warnings(RuleSet rules, DeviceCatalog catalog)
    {
        var families = catalog.Profiles.Select(p => p.Family).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var ids = catalog.Profiles.Select(p => p.Id).ToList();
        var tags = catalog.Profiles.SelectMany(TagNames).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var warnings = new List<Diagnostic>();
        foreach (var rule in rules.Rules)
        {
            var match = rule.Match;
            foreach (var family in match.Families.Where(f => !families.Any(x => Wildcard.IsMatch(x, f))))
            {
                warnings.Add(Warn(rule, $"match family '{family}' names no family of any profile (families: {string.Join(", ", families)}); the rule will never see a reading"));
            }

            foreach (var profile in match.Profiles.Where(p => !ids.Any(x => Wildcard.IsMatch(x, p))))
            {
                warnings.Add(Warn(rule, $"match profile '{profile}' matches no profile id{Core.Loading.DidYouMean.Hint(profile, ids)}; the rule will never see a reading"));
            }

            foreach (var tag in match.Tags.Keys.Where(t => !tags.Contains(t, StringComparer.Ordinal)))
            {
                warnings.Add(Warn(rule, $"match tag '{tag}' is a tag no profile gives (tags: {string.Join(", ", tags)}); the rule will never see a reading"));
            }

            if (match.Families.Count > 0 && match.Profiles.Count > 0
                && !catalog.Profiles.Any(p => Wildcard.AnyMatch(p.Family, match.Families) && Wildcard.AnyMatch(p.Id, match.Profiles)))
            {
                warnings.Add(Warn(rule, "no profile has both the matched family and the matched profile id; the rule will never see a reading"));
            }
        }

        return warnings;
    }

    /// <summary>Tag names a profile's readings carry: named topic levels and payload tags.</summary>
    internal static IEnumerable<string> TagNames(DeviceProfile profile)
    {
        if (!profile.HasDecoding)
        {
            return [];
        }

        var decoding = profile.Decoding;
        return decoding.Topics.SelectMany(t => t.Segments).Where(s => s.IsNamed && s.Name != TopicTemplate.FieldSegmentName).Select(s => s.Name!)
            .Concat(decoding.PayloadTags.Select(t => t.Key));
    }

    private static Diagnostic Warn(RuleDefinition rule, string message) => new(rule.File, rule.Line, 1, message);
}
