using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Evaluation;
using SmartCity.IoT.Rules.Loading;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

public sealed class WindowBufferTests
{
    [Fact]
    public void Grows_then_drops_the_oldest_sample_at_its_bound_and_keeps_an_exact_sum()
    {
        var w = new WindowBuffer(2, 8);
        for (var i = 1; i <= 20; i++)
        {
            w.Add(i, i * 0.1);
        }

        Assert.Equal((8, 8), (w.Count, w.Capacity));
        Assert.Equal((13L, 1.3), (w.Oldest.Time, Math.Round(w.Oldest.Value, 9)));
        Assert.Equal(20L, w.Newest.Time);
        Assert.Equal(Enumerable.Range(13, 8).Sum(i => i * 0.1), w.Sum(), 9);
        Assert.Equal((1.3, 2.0), (Math.Round(w.Min(), 9), Math.Round(w.Max(), 9)));

        w.Evict(16); // the window is (16, now]: 16 itself goes
        Assert.Equal(4, w.Count);
        Assert.Equal(17L, w.Oldest.Time);
        w.Evict(100);
        Assert.Equal((0, 0.0), (w.Count, w.Sum()));
        Assert.True(double.IsNaN(w.Min()));
    }

    [Fact]
    public void Running_sum_does_not_drift_over_millions_of_samples()
    {
        var w = new WindowBuffer(16, 16);
        var random = new Random(42);
        for (var i = 0; i < 2_000_000; i++)
        {
            w.Add(i, random.NextDouble() * 1e6);
        }

        Assert.Equal(w.Samples().Sum(s => s.Value), w.Sum(), 3);
    }

    [Fact]
    public void Vocabularies_larger_than_64_fields_trigger_rules_through_the_field_list()
    {
        var fields = Enumerable.Range(0, 70).Select(i => new FieldDefinition(i, i == 68 ? "co2" : $"f{i}", "", FieldType.Float, 0, 1e6)).ToArray();
        var vocabulary = new FieldVocabulary(fields);
        var registry = new DeviceRegistry(vocabulary.Count);
        var publisher = new RecordingPublisher();
        var engine = new RuleEngine(RuleLoader.LoadText("rules:\n  - name: r\n    expr: co2 > 1000\n", "big.yaml", vocabulary), vocabulary, registry, publisher, TimeProvider.System);
        var reading = new Reading(vocabulary.Count);
        foreach (var (field, value) in new[] { (3, 5000.0), (68, 1200.0) })
        {
            reading.Reset();
            reading.Profile = new DeviceProfile("a/b", "a", "b", "environment");
            reading.DeviceId = "d1".AsMemory();
            reading.Set(field, value);
            registry.Observe(reading);
            engine.Evaluate(reading);
        }

        var alert = Assert.Single(publisher.Alerts);
        Assert.Equal((AlertStatus.Firing, 1200.0), (alert.Status, alert.Value));
    }

    [Fact]
    public void Evaluate_without_registry_observe_is_a_clear_error()
    {
        var h = new EngineHarness("rules:\n  - name: r\n    expr: co2 > 1000\n");
        h.Reading.Reset();
        var ex = Assert.Throws<InvalidOperationException>(() => h.Engine.Evaluate(h.Reading));
        Assert.Contains("DeviceRegistry.Observe", ex.Message);
    }
}
