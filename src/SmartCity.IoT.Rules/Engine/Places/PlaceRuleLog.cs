using Microsoft.Extensions.Logging;

namespace SmartCity.IoT.Rules.Engine.Places;

/// <summary>What the engine says about rules against the building model (at start, on a reload of either).</summary>
internal static partial class PlaceRuleLog
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "{Diagnostic}")]
    public static partial void RuleCannotFire(ILogger logger, string diagnostic);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "{Diagnostic}")]
    public static partial void RuleMissesPlaces(ILogger logger, string diagnostic);
}
