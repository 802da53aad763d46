using Microsoft.Extensions.Logging;

namespace SmartCity.IoT.Rules.Engine.Places;

/// <summary>What the engine says about rules against the building model (at start, on a reload of either).</summary>
internal static partial class PlaceRuleLog
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "{Diagnostic}")]
    public static partial void RuleCannotFire(ILogger logger, string diagnostic);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "{Diagnostic}")]
    public static partial void RuleMissesPlaces(ILogger logger, string diagnostic);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Rule {Rule} ({File}:{Line}) uses place.{Attribute}, which place {Place} of device {Device} lacks (and its ancestors): the rule never fires for devices there")]
    public static partial void PlaceLacksAttribute(ILogger logger, string rule, string file, int line, string attribute, string place, string device);
}
