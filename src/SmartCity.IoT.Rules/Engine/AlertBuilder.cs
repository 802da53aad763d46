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
        var templateContext = new TemplateContext(state.RuleName, state.Severity, state.LastValue, slot.DeviceId, slot.Family, slot.ProfileId, slot.Tags, slot.Device?.Latest, vocabulary);
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
        return new Alert
        {
            Fingerprint = state.Fingerprint ??= Fingerprint(state.RuleName, slot),
            RuleName = state.RuleName,
            Status = status,
            Severity = state.Severity,
            Value = state.LastValue,
            ProfileId = slot.ProfileId,
            Family = slot.Family,
            DeviceId = slot.DeviceId,
            Labels = state.Labels,
            Annotations = annotations,
            StartsAt = UnixNanos.ToTime(state.FiringSinceNs),
            EndsAt = status == AlertStatus.Resolved ? UnixNanos.ToTime(now) : null,
            At = UnixNanos.ToTime(now),
        };
    }
}
