using Microsoft.Extensions.Logging;
using SmartCity.IoT.Rules.Evaluation;

namespace SmartCity.IoT.Rules.Engine.Places;

/// <summary>Logs, once per (rule, place), a device bound to a rule whose <c>place.*</c> attribute its place lacks.</summary>
internal sealed class PlaceAttributeWarnings(ILogger logger)
{
    private readonly HashSet<(string Rule, string Place, string Attribute)> _said = [];

    /// <summary>Checks a device just bound or re-placed (never per reading).</summary>
    public void Check(DeviceSlot slot)
    {
        if (slot.Place is not { } binding)
        {
            return;
        }

        foreach (var state in slot.Thresholds)
        {
            var rule = state.Rule.Definition;
            foreach (var attribute in rule.PlaceAttributes)
            {
                if (!double.IsNaN(binding.Number(PlaceAttributeIds.Of(attribute))) || !_said.Add((rule.Name, binding.Place.Id, attribute)))
                {
                    continue;
                }

                PlaceRuleLog.PlaceLacksAttribute(logger, rule.Name, rule.File, rule.Line, attribute, binding.Place.Id, slot.DeviceId);
            }
        }
    }
}
