using System.Text.RegularExpressions;
using SmartCity.IoT.Mqtt;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Gateway.Hosting;

/// <summary>
/// Says once at start what the chosen sources mean for the user: in NATS mode that the spool is off, and, when an MQTT
/// subscription is shared (<c>$share</c>) while rules keep state per device, that those rules see only fragments.
/// </summary>
internal sealed partial class SourceNotices(SourceSelection selection, IConfiguration configuration, RuleSet rules, ILogger<SourceNotices> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (selection.Nats)
        {
            Log.SpoolOff(logger, configuration["Nats:Stream"] is { Length: > 0 } stream ? stream : "READINGS");
        }

        if (selection.Mqtt)
        {
            var mqtt = configuration.GetSection(MqttOptions.SectionName).Get<MqttOptions>() ?? new MqttOptions();
            var groups = mqtt.Connections().Where(c => !string.IsNullOrWhiteSpace(c.SharedGroup)).Select(c => $"{c.SharedGroup} ({c.Name})").ToArray();
            var stateful = StatefulRules(rules);
            if (groups.Length > 0 && stateful.Count > 0)
            {
                Log.SharedGroupWithStatefulRules(logger, string.Join(", ", groups), string.Join(", ", stateful.Take(10)) + (stateful.Count > 10 ? $" and {stateful.Count - 10} more" : ""));
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Rules whose verdict depends on earlier readings of the device: <c>for:</c>, hysteresis (<c>clear:</c>), windows and rates, staleness.</summary>
    internal static IReadOnlyList<string> StatefulRules(RuleSet rules) => rules.Rules
        .Where(r => r.Kind == RuleKind.Staleness || r.For > TimeSpan.Zero || r.KeepFiringFor > TimeSpan.Zero || r.Clear is not null
            || r.Levels.Any(l => WindowCall().IsMatch(l.Expression)) || (r.Clear is { } c && WindowCall().IsMatch(c)))
        .Select(r => r.Name)
        .ToArray();

    [GeneratedRegex(@"\b(rate|increase|delta|avg|min|max|count|absent)\s*\(")]
    private static partial Regex WindowCall();

    private static partial class Log
    {
        [LoggerMessage(EventId = 420, Level = LogLevel.Information, Message = "NATS mode: the local spool is off; stream {Stream} keeps each reading until InfluxDB has it (Spool:Enabled, README \"Scale out on NATS JetStream\")")]
        public static partial void SpoolOff(ILogger logger, string stream);

        [LoggerMessage(EventId = 421, Level = LogLevel.Warning, Message = "Mqtt:SharedGroup {Groups}: the broker hands each message to one gateway of the group in turn, so one device's readings are split between gateways and these stateful rules (for:, clear: hysteresis, windows, rates, staleness) are evaluated on fragments: {Rules}. Shard by topic filter instead, or use NATS JetStream partitions (README \"Scale out on NATS JetStream\")")]
        public static partial void SharedGroupWithStatefulRules(ILogger logger, string groups, string rules);
    }
}
