using System.Security.Cryptography;
using System.Text;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Rules.Evaluation;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Rules.Engine;

/// <summary>Builds the <see cref="Alert"/> of a transition: labels, annotations and fingerprint (transitions only, never per reading).</summary>
internal sealed class AlertBuilder(FieldVocabulary vocabulary)
{
    // Each transition's time is later than the one before (by one 100 ns tick when the clock has not moved): the alerts
    // measurement keys points by series and time, so two transitions of one series must never share a timestamp.
    private long _lastAtTicks;

    /// <summary>Stable alert identity: hex of SHA-256 over rule name, profile id and device id (first 8 bytes).</summary>
    public static string Fingerprint(string ruleName, string profileId, string deviceId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ruleName + "\n" + profileId + "\n" + deviceId)).AsSpan(0, 8));

    public static string Fingerprint(string ruleName, DeviceSlot slot) => Fingerprint(ruleName, slot.ProfileId, slot.DeviceId);

    /// <summary>
    /// The alert for <paramref name="state"/> moving to <paramref name="status"/>; renders its templates and keeps labels
    /// and annotations on the state (the status page and checkpoints show them). <paramref name="note"/> is an extra annotation.
    /// </summary>
    public Alert Build(DeviceSlot slot, RuleState state, AlertStatus status, long now, string? note)
    {
        var rule = state.Rule;
        var valueText = ValueText(state);
        var templateContext = new TemplateContext(state.RuleName, state.Severity, state.LastValue, slot.DeviceId, slot.Family, slot.ProfileId, slot.Tags, slot.Device?.Latest, vocabulary, valueText, slot.Place?.Place);
        if (state.Labels is null || status is AlertStatus.Escalated or AlertStatus.Deescalated)
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in slot.Tags)
            {
                labels[k] = v;
            }

            // Labels are rendered when the alert fires and kept: they are part of its identity downstream.
            if (state.Labels is null)
            {
                foreach (var (k, t) in rule.Labels)
                {
                    labels[k] = t.Render(templateContext);
                }
            }
            else
            {
                foreach (var (k, v) in state.Labels)
                {
                    labels[k] = v;
                }
            }

            PlaceLabels.AddTo(labels, slot.Place?.Place);
            labels["alertname"] = state.RuleName;
            labels["severity"] = state.Severity.ToString().ToLowerInvariant();
            labels["device"] = slot.DeviceId;
            labels["family"] = slot.Family;
            state.Labels = labels;
        }

        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, t) in rule.Annotations)
        {
            annotations[k] = t.Render(templateContext);
        }

        if (note is not null)
        {
            annotations[state.Flapping ? "flapping" : "note"] = note;
        }

        state.Annotations = annotations;
        var at = UniqueTime(now);
        return new Alert
        {
            Fingerprint = state.Fingerprint ??= Fingerprint(state.RuleName, slot),
            RuleName = state.RuleName,
            Status = status,
            Severity = state.Severity,
            Value = state.LastValue,
            ValueText = valueText,
            ProfileId = slot.ProfileId,
            Family = slot.Family,
            DeviceId = slot.DeviceId,
            Labels = state.Labels,
            Annotations = annotations,
            StartsAt = UnixNanos.ToTime(state.FiringSinceNs),
            EndsAt = status == AlertStatus.Resolved ? at : null,
            At = at,
            EvaluatedUpToNs = slot.EvaluatedUpToNs,
            EpisodeOrigin = state.EpisodeOrigin,
        };
    }

    /// <summary>The value of <paramref name="state"/> in its field's own terms (enum name, true/false), or null for a number.</summary>
    private static string? ValueText(RuleState state) =>
        state.Rule.Kind == RuleKind.Staleness ? null : state.Rule.ValueText(state.LevelIndex, state.LastValue);

    private DateTimeOffset UniqueTime(long now)
    {
        var ticks = Math.Max(UnixNanos.ToTime(now).UtcTicks, _lastAtTicks + 1);
        _lastAtTicks = ticks;
        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }
}
