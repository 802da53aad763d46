using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Evaluation;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

public sealed class BucketedWindowTests
{
    private static readonly long Second = 1_000_000_000L;

    [Fact]
    public void Bucketed_values_lie_between_the_exact_window_and_the_exact_window_one_bucket_width_longer()
    {
        const int Buckets = 24;
        var d = 3600 * Second;
        var width = d / Buckets;
        var exact = new WindowBuffer(16, 65536);
        var longer = new WindowBuffer(16, 65536); // the stated error: the edge may reach one bucket width further back
        var bucketed = new WindowBuffer(16, 65536, width, Buckets);
        var random = new Random(7);
        var t = 1_700_000_000 * Second;
        var counter = 0.0;
        var checkedSteps = 0;
        var differed = 0;
        for (var i = 0; i < 20_000; i++)
        {
            t += random.Next(1, 240) * Second;
            counter = random.Next(200) == 0 ? random.Next(5) : counter + random.NextDouble() * 3; // with resets
            foreach (var w in new[] { exact, longer, bucketed })
            {
                w.Add(t, counter);
            }

            var now = t + (random.Next(120) * Second);
            exact.Evict(now - d);
            longer.Evict(now - d - width);
            bucketed.Evict(now - d);
            if (exact.Count == 0)
            {
                continue;
            }

            checkedSteps++;
            differed += bucketed.Count != exact.Count ? 1 : 0;
            Assert.InRange(bucketed.Count, exact.Count, longer.Count);
            Assert.InRange(bucketed.Sum(), exact.Sum() - 1e-6, longer.Sum() + 1e-6); // values are non-negative
            Assert.InRange(bucketed.Min(), longer.Min(), exact.Min());
            Assert.InRange(bucketed.Max(), exact.Max(), longer.Max());
            Assert.Equal(exact.Newest, bucketed.Newest);
            Assert.InRange(bucketed.Oldest.Time, longer.Oldest.Time, exact.Oldest.Time);
            if (exact.Count >= 2)
            {
                Assert.InRange(bucketed.Increase(), exact.Increase() - 1e-6, longer.Increase() + 1e-6);
            }

            Assert.True(bucketed.Capacity <= Buckets + 2, $"bucketed window grew to {bucketed.Capacity} buckets");
        }

        Assert.True(checkedSteps > 19_000);
        Assert.True(differed > 0, "the test never reached a bucket edge: it would not tell a bucketed window from an exact one");
    }

    [Fact]
    public void A_bucketed_window_over_a_chatty_device_keeps_a_fixed_number_of_buckets()
    {
        var d = 24 * 3600 * Second;
        var bucketed = new WindowBuffer(16, 4096, d / 24, 24);
        var exact = new WindowBuffer(16, 4096);
        var t = 0L;
        for (var i = 0; i < 100_000; i++)
        {
            t += Second;
            bucketed.Add(t, i % 100);
            exact.Add(t, i % 100);
            bucketed.Evict(t - d);
            exact.Evict(t - d);
        }

        // Every sample of the last 24 h counted (and at most one bucket width, 1 h, more), in 24 + 2 buckets; the exact
        // window dropped all but its 4,096 newest.
        Assert.Equal(26, bucketed.Capacity);
        Assert.InRange(bucketed.Count, 86_400, 86_400 + 3_600);
        Assert.Equal((4096, 0.0, 99.0), (exact.Count, bucketed.Min(), bucketed.Max()));
        Assert.True(WindowStore.MaxBytesPerMember(d / 24, 24, 4096) < 2_000);
    }

    [Fact]
    public void Options_bucket_only_windows_from_the_configured_length()
    {
        var options = new RuleEngineOptions { BucketWindowsFrom = TimeSpan.FromHours(1), WindowBuckets = 30 };
        Assert.Equal(0, options.BucketWidthNs(15 * 60 * Second));
        Assert.Equal(120 * Second, options.BucketWidthNs(3600 * Second));
        Assert.Contains("Rules:BucketWindowsFrom", Assert.Throws<ArgumentException>(
            () => new EngineHarness("rules: []", new RuleEngineOptions { BucketWindowsFrom = TimeSpan.FromMinutes(-1) })).Message);
    }

    private const string LongAverage = """
        rules:
          - name: pm_day
            expr: avg(pm2_5, 2h) > 35
          - name: energy_hour
            expr: increase(energy_kwh, 1h) > 20
        """;

    [Fact]
    public void Bucketed_windows_survive_a_checkpoint_round_trip_and_a_reload()
    {
        var options = new RuleEngineOptions { BucketWindowsFrom = TimeSpan.FromHours(1), WindowBuckets = 12, DefaultFlapping = Model.FlappingPolicy.Disabled };
        var h = new EngineHarness(LongAverage, options);
        for (var i = 0; i < 90; i++)
        {
            h.Send("ems-1", ("pm2_5", 20 + (i % 7)), ("energy_kwh", 1000 + (i * 0.2)));
            h.Advance(TimeSpan.FromMinutes(1));
        }

        using var checkpoint = new MemoryStream();
        h.Engine.SaveCheckpoint(checkpoint);
        var r = new EngineHarness(LongAverage, options, h.Time);
        checkpoint.Position = 0;
        r.Engine.RestoreCheckpoint(checkpoint);
        r.Engine.Reload(r.Rules); // same rules: windows carried through the reload too

        // The same reading into both: the same averages, so the same alert with the same value.
        h.Send("ems-1", ("pm2_5", 3000), ("energy_kwh", 1030));
        r.Send("ems-1", ("pm2_5", 3000), ("energy_kwh", 1030));
        var original = h.Publisher.Alerts.Where(a => a.Status == AlertStatus.Firing).OrderBy(a => a.RuleName).Select(a => (a.RuleName, a.Value)).ToArray();
        var restored = r.Publisher.Alerts.Where(a => a.Status == AlertStatus.Firing).OrderBy(a => a.RuleName).Select(a => (a.RuleName, a.Value)).ToArray();
        Assert.Equal(2, original.Length);
        Assert.Equal(original, restored);
    }

    [Fact]
    public void A_version_2_checkpoint_with_exact_samples_is_still_read_into_a_bucketed_window()
    {
        var options = new RuleEngineOptions { BucketWindowsFrom = TimeSpan.FromHours(1), DefaultFlapping = Model.FlappingPolicy.Disabled };
        var h = new EngineHarness("rules:\n  - name: pm_day\n    expr: avg(pm2_5, 2h) > 35\n", options);
        var rule = Assert.Single(h.Rules.Compiled);
        var now = h.Time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        using var v2 = new MemoryStream();
        using (var w = new BinaryWriter(v2, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(0x43524353);
            w.Write(2);
            w.Write(1); // one device
            w.Write(h.Environment.Id);
            w.Write(h.Environment.Family);
            w.Write("ems-1");
            w.Write(0); // no tags
            w.Write(now); // last received
            w.Write(0L); // evaluated up to
            w.Write(1); // one state
            w.Write("pm_day");
            w.Write(rule.Definition.DefinitionHash);
            w.Write((byte)rule.Kind);
            w.Write((byte)RulePhase.Inactive);
            w.Write(0L);
            w.Write(0L);
            w.Write(0L);
            w.Write(0L);
            w.Write(0); // level
            w.Write((byte)AlertSeverity.Warning);
            w.Write(0.0);
            w.Write(double.NaN);
            w.Write(false);
            w.Write(""); // fingerprint
            w.Write(0); // transitions
            w.Write(-1); // labels
            w.Write(-1); // annotations
            w.Write(1); // one window: samples 30 and 40, no kind byte before version 3
            w.Write(2);
            w.Write(now - (60 * Second));
            w.Write(30.0);
            w.Write(now - (30 * Second));
            w.Write(40.0);
            w.Write(0); // absent clocks
            w.Write(0x43524353);
        }

        v2.Position = 0;
        h.Engine.RestoreCheckpoint(v2);
        h.Send("ems-1", ("pm2_5", 50));
        Assert.Equal(40, Assert.Single(h.Publisher.Alerts).Value, 9); // (30 + 40 + 50) / 3
    }
}
