using Cronos;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Core.Places;
using SmartCity.IoT.Rules.Compilation;
using SmartCity.IoT.Rules.Evaluation;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Rules.Loading;

/// <summary>Reads and checks a rule's place keys (see config/rules/README.md, "Rules over places").</summary>
internal static class PlaceKeysParser
{
    private const string What = "a rule";
    private static readonly string[] OverAliases = ["zone", "floor", "building", "site", "place"];

    public static PlaceKeys Parse(YamlSource source, YamlMappingNode node, bool staleness)
    {
        string? over = null;
        string[] kinds = [];
        if (source.Scalar(node, "over", What) is { } overNode)
        {
            over = overNode.Value ?? "";
            if (staleness)
            {
                source.Error(overNode, "'over' does not apply to a staleness rule: aggregate with a threshold rule (expr: count(co2) < 3)");
            }
            else if (Array.IndexOf(OverAliases, over) < 0 && !PlaceKinds.TryGetLevel(over, out _))
            {
                var best = DidYouMean.Closest(over, OverAliases.Concat(PlaceKinds.Names));
                source.Error(overNode, $"unknown 'over: {over}'{(best is null ? "" : $" (did you mean '{best}'?)")}: use zone, floor, building, site, place or a place kind (Conference_Room, HVAC_Zone, ...)", best);
            }

            kinds = PlaceAggregateSpec.KindsOf(over);
        }

        var staleAfter = over is null ? TimeSpan.Zero : PlaceKeys.DefaultStaleAfter;
        if (YamlSource.Get(node, "stale_after") is not null)
        {
            var read = DurationReader.Read(source, node, "stale_after");
            if (over is null)
            {
                source.Error(YamlSource.KeyNode(node, "stale_after"), "'stale_after' applies to rules with 'over' (how long a device may be silent before it is left out of the aggregate)");
            }
            else if (read <= TimeSpan.Zero)
            {
                source.Error(YamlSource.Get(node, "stale_after"), "'stale_after' must be longer than 0");
            }
            else
            {
                staleAfter = read;
            }
        }

        var during = source.Scalar(node, "during", What);
        var outside = source.Scalar(node, "outside", What);
        var zoneNode = source.Scalar(node, "time_zone", What);
        if (during is not null && outside is not null)
        {
            source.Error(YamlSource.KeyNode(node, "outside"), "give 'during' or 'outside', not both");
            return new PlaceKeys(over, kinds, staleAfter, null, null, null);
        }

        var scheduleNode = during ?? outside;
        if (scheduleNode is null)
        {
            if (zoneNode is not null)
            {
                source.Error(YamlSource.KeyNode(node, "time_zone"), "'time_zone' applies to a cron 'during' or 'outside' window");
            }

            return new PlaceKeys(over, kinds, staleAfter, null, null, null);
        }

        if (staleness)
        {
            source.Error(scheduleNode, "'during'/'outside' do not apply to a staleness rule");
        }

        var text = (scheduleNode.Value ?? "").Trim();
        var isOutside = outside is not null;
        if (text == "occupied")
        {
            if (zoneNode is not null)
            {
                source.Error(YamlSource.KeyNode(node, "time_zone"), "'time_zone' applies to a cron window; occupied hours use the place's own time zone");
            }

            return new PlaceKeys(over, kinds, staleAfter, new OccupiedSchedule(isOutside), text, null);
        }

        CronExpression cron;
        try
        {
            cron = CronExpression.Parse(text, CronFormat.Standard);
        }
        catch (CronFormatException ex)
        {
            source.Error(scheduleNode, $"'{text}' is neither 'occupied' nor a cron expression (minute hour day-of-month month day-of-week, e.g. \"* 8-17 * * MON-FRI\"): {ex.Message}");
            return new PlaceKeys(over, kinds, staleAfter, null, null, null);
        }

        var zone = TimeZoneInfo.Utc;
        if (zoneNode is not null)
        {
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(zoneNode.Value ?? "");
            }
            catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                source.Error(zoneNode, $"unknown time zone '{zoneNode.Value}': use an IANA name such as Europe/Paris or Asia/Hong_Kong");
            }
        }

        return new PlaceKeys(over, kinds, staleAfter, new CronSchedule(text, cron, zone, isOutside), text, zoneNode?.Value);
    }
}
