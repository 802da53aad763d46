using System.IO.Enumeration;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Core.Places;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Gateway.Commands;

namespace SmartCity.IoT.Gateway.Places;

/// <summary>
/// Placement against the device profiles and the simulator. Decidable, so errors: a rule condition on a profile,
/// family or tag no profile has, or a place template using a tag the matched profiles lack. Not decidable (real
/// devices differ from the simulator's), so warnings: a rule no simulated device reaches, a simulated device left
/// unplaced, a floor plan file that does not exist.
/// </summary>
internal sealed class PlacementCheck(DeviceCatalog catalog, IReadOnlyList<DeviceState> simulated) : IBuildingModelCheck
{
    public void Check(BuildingModelDocument document, List<Diagnostic> errors, List<Diagnostic> warnings)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(warnings);
        var families = catalog.Profiles.Select(p => p.Family).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var ids = catalog.Profiles.Select(p => p.Id).ToList();
        var allTags = catalog.Profiles.SelectMany(Tags).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        foreach (var rule in document.Placement.Rules)
        {
            var at = new SourcePosition(rule.Line, rule.Column);
            var matched = catalog.Profiles.Where(p => ProfileMatches(rule, p)).ToList();
            foreach (var (key, pattern) in rule.Conditions)
            {
                switch (key)
                {
                    case PlacementRule.ProfileKey when !ids.Any(id => Glob(pattern, id)):
                        errors.Add(document.At(at, $"match profile '{pattern}' names no profile{DidYouMean.Hint(pattern, ids)}; the rule places nothing", DidYouMean.Closest(pattern, ids)));
                        break;
                    case PlacementRule.FamilyKey when !families.Any(f => Glob(pattern, f)):
                        errors.Add(document.At(at, $"match family '{pattern}' names no family of any profile ({Hint(pattern, families)}); the rule places nothing", DidYouMean.Closest(pattern, families)));
                        break;
                    case PlacementRule.ProfileKey or PlacementRule.FamilyKey or PlacementRule.DeviceKey:
                        break;
                    default:
                        if (!allTags.Contains(key, StringComparer.Ordinal))
                        {
                            errors.Add(document.At(at, $"match tag '{key}' is a tag no profile gives ({Hint(key, allTags)}); the rule places nothing", DidYouMean.Closest(key, allTags)));
                        }

                        break;
                }
            }

            foreach (var name in rule.TemplateTags)
            {
                var lacking = matched.Where(p => !Tags(p).Contains(name, StringComparer.Ordinal) && name != PlacementRule.DeviceKey).Select(p => p.Id).ToList();
                if (lacking.Count > 0 && lacking.Count == matched.Count)
                {
                    errors.Add(document.At(at, $"the place template '{rule.Place}' uses tag '{name}', which no profile this rule matches gives ({string.Join(", ", lacking)}){DidYouMean.Hint(name, allTags)}"));
                }
            }

            if (simulated.Count > 0 && !simulated.Any(d => document.Placement.PlaceOf(d.Profile.Id, d.Profile.Family, d.DeviceId, d.TopicTags, out var by) is not null && ReferenceEquals(by, rule)))
            {
                warnings.Add(document.At(at, $"no simulated device is placed by this rule {rule}"));
            }
        }

        foreach (var device in simulated)
        {
            if (document.Placement.PlaceOf(device.Profile.Id, device.Profile.Family, device.DeviceId, device.TopicTags, out _) is null)
            {
                warnings.Add(document.At(new SourcePosition(1, 1), $"simulated device {device.DeviceId} ({device.Profile.Id}; tags {string.Join(", ", device.TopicTags.Select(t => $"{t.Key}={t.Value}"))}) is unplaced"));
            }
        }

        var folder = document.Model.SourcePath is { } path ? Path.GetDirectoryName(path) : null;
        foreach (var place in document.Model.Places)
        {
            if (place.FloorPlan is { } plan && folder is not null && !File.Exists(Path.Combine(folder, plan)))
            {
                warnings.Add(document.At(document.PositionOf(place, "floor_plan"), $"the floor plan '{plan}' of place '{place.Id}' does not exist (relative to the model file)"));
            }
        }
    }

    /// <summary>The tags a profile's readings carry: topic levels, payload tags, and the device id.</summary>
    private static IEnumerable<string> Tags(DeviceProfile profile) => RuleMatchCheck.TagNames(profile).Append(PlacementRule.DeviceKey);

    private static bool ProfileMatches(PlacementRule rule, DeviceProfile profile) => rule.Conditions.All(c => c.Key switch
    {
        PlacementRule.ProfileKey => Glob(c.Value, profile.Id),
        PlacementRule.FamilyKey => Glob(c.Value, profile.Family),
        PlacementRule.DeviceKey => true,
        _ => Tags(profile).Contains(c.Key, StringComparer.Ordinal),
    });

    private static bool Glob(string pattern, string value) => FileSystemName.MatchesSimpleExpression(pattern, value, ignoreCase: false);

    private static string Hint(string value, IReadOnlyList<string> known) =>
        DidYouMean.Closest(value, known) is { } close ? $"did you mean '{close}'?" : "known: " + string.Join(", ", known);
}
