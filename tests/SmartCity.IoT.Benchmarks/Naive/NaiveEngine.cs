using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Benchmarks.Naive;

/// <summary>
/// The baseline: the same rules and lifecycle (pending/for, firing, escalation, clear, staleness) written the way a
/// first version usually is: dictionaries keyed by strings, history lists pruned with RemoveAll, LINQ for matching
/// and windows.
/// </summary>
internal sealed class NaiveEngine(IReadOnlyList<NaiveRule> rules, TimeProvider time, IAlertSink publisher)
{
    private readonly Dictionary<string, NaiveDevice> _devices = [];
    private readonly Dictionary<string, State> _states = [];

    public void Evaluate(string profileId, string family, string deviceId, Dictionary<string, string> tags, Dictionary<string, double> fields, Dictionary<string, string>? text = null)
    {
        var now = time.GetUtcNow();
        if (!_devices.TryGetValue(deviceId, out var device))
        {
            _devices[deviceId] = device = new NaiveDevice(deviceId, family, new Dictionary<string, string>(tags), now);
        }

        device.LastMessage = now;
        foreach (var (k, v) in fields)
        {
            device.Latest[k] = v;
            device.LastSeen[k] = now;
            if (!device.History.TryGetValue(k, out var list))
            {
                device.History[k] = list = [];
            }

            list.Add((now, v));
            var keep = k == "crack_width" ? TimeSpan.FromHours(24) : TimeSpan.FromMinutes(30); // the longest window using the field
            list.RemoveAll(x => x.At < now - keep);
        }

        foreach (var (k, v) in text ?? [])
        {
            device.Text[k] = v;
            device.LastSeen[k] = now;
        }

        var applicable = rules
            .Where(r => r.Families.Any(f => Glob(family, f)))
            .Where(r => r.Tags.All(t => tags.TryGetValue(t.Tag, out var v) && t.Patterns.Any(p => Glob(v, p))))
            .Where(r => r.Fields.Length == 0 || r.Fields.Any(f => fields.ContainsKey(f) || (text?.ContainsKey(f) ?? false)))
            .ToList();
        foreach (var rule in applicable)
        {
            var key = $"{rule.Name}|{profileId}|{deviceId}";
            if (!_states.TryGetValue(key, out var state))
            {
                _states[key] = state = new State();
            }

            var ctx = new NaiveContext(device, now, state.Counts);
            var results = rule.Levels.Select(l => (l.Severity, Result: l.Condition(ctx))).ToList();
            var hit = results.FirstOrDefault(r => r.Result == true);
            bool? fire = hit.Result == true ? true : results.Any(r => r.Result is null) ? null : false;
            switch (state.Phase)
            {
                case "inactive":
                    if (fire == true)
                    {
                        state.Phase = "pending";
                        state.Since = now;
                        state.Severity = hit.Severity;
                        if (rule.For == TimeSpan.Zero)
                        {
                            Publish(rule, device, state, AlertStatus.Firing, ctx, now);
                        }
                    }

                    break;
                case "pending":
                    if (fire == true && now - state.Since >= rule.For)
                    {
                        state.Severity = hit.Severity;
                        Publish(rule, device, state, AlertStatus.Firing, ctx, now);
                    }
                    else if (fire == false)
                    {
                        state.Phase = "inactive";
                    }

                    break;
                case "firing":
                    var clear = rule.Clear is null ? (fire is null ? null : !fire) : rule.Clear(ctx);
                    if (fire == true && hit.Severity != state.Severity)
                    {
                        var status = hit.Severity > state.Severity ? AlertStatus.Escalated : AlertStatus.Deescalated;
                        state.Severity = hit.Severity;
                        Publish(rule, device, state, status, ctx, now);
                    }
                    else if (fire != true && clear == true)
                    {
                        Publish(rule, device, state, AlertStatus.Resolved, ctx, now);
                    }

                    break;
            }
        }

        if (_states.TryGetValue($"device_offline|{profileId}|{deviceId}", out var stale) && stale.Phase == "firing")
        {
            stale.Phase = "inactive";
        }
    }

    public int ActiveCount => _states.Values.Count(s => s.Phase == "firing");

    private void Publish(NaiveRule rule, NaiveDevice device, State state, AlertStatus status, NaiveContext ctx, DateTimeOffset now)
    {
        state.Phase = status == AlertStatus.Resolved ? "inactive" : "firing";
        publisher.OnTransition(new Alert
        {
            Fingerprint = $"{rule.Name}:{device.Id}",
            RuleName = rule.Name,
            Status = status,
            Severity = state.Severity,
            Value = rule.Value(ctx) ?? double.NaN,
            ProfileId = "",
            Family = device.Family,
            DeviceId = device.Id,
            Labels = device.Tags,
            StartsAt = state.Since,
            At = now,
        });
    }

    // Enough for the patterns the benchmark uses ("x", "x*", "*").
    private static bool Glob(string text, string pattern) =>
        pattern == "*" || (pattern.EndsWith('*') ? text.StartsWith(pattern[..^1], StringComparison.Ordinal) : text == pattern);

    private sealed class State
    {
        public string Phase { get; set; } = "inactive";
        public DateTimeOffset Since { get; set; }
        public AlertSeverity Severity { get; set; }
        public Dictionary<string, List<(DateTimeOffset At, bool Value)>> Counts { get; } = [];
    }
}
