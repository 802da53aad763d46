using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Core.Places;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Rules.Engine.Places;
using SmartCity.IoT.Rules.Loading;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Gateway.Places;

/// <summary>
/// The rules against the model (<see cref="PlaceRuleCheck"/>): a place attribute or occupied hours no place has is an
/// error; places where the simulator's devices matched by a rule sit without the attribute are warnings. Rules that do
/// not load are reported as they are by <c>rules validate</c>.
/// </summary>
internal sealed class RulePlaceCheck(DeviceCatalog catalog, string rulesPath, IReadOnlyList<DeviceState> simulated) : IBuildingModelCheck
{
    public void Check(BuildingModelDocument document, List<Diagnostic> errors, List<Diagnostic> warnings)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(warnings);
        RuleSet rules;
        try
        {
            rules = Directory.Exists(rulesPath) ? RuleLoader.LoadDirectory(rulesPath, catalog.Vocabulary)
                : File.Exists(rulesPath) ? RuleLoader.LoadFile(rulesPath, catalog.Vocabulary)
                : RuleSet.Empty(catalog.Vocabulary);
        }
        catch (DiagnosticException ex)
        {
            errors.AddRange(ex.Errors);
            return;
        }

        var model = document.Model;
        var placed = simulated.Select(d => (Device: d, Place: model.PlaceOf(d))).Where(x => x.Place is not null).ToList();
        var report = PlaceRuleCheck.Check(rules, model, rule => placed
            .Where(x => rule.Match.Matches(x.Device.Profile.Id, x.Device.Profile.Family, x.Device.DeviceId, x.Device.Tags))
            .Select(x => x.Place!));
        errors.AddRange(report.Errors);
        warnings.AddRange(report.Warnings);
    }
}
