using Microsoft.Extensions.Time.Testing;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Loading;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Rules.Tests.Support;

/// <summary>Drives a real engine with a fake clock: readings go through a real DeviceRegistry as in the gateway.</summary>
internal sealed class EngineHarness
{
    public EngineHarness(string rulesYaml, RuleEngineOptions? options = null, FakeTimeProvider? time = null)
    {
        Vocabulary = TestVocabulary.Create();
        Time = time ?? new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        Registry = new DeviceRegistry(Vocabulary.Count);
        Reading = new Reading(Vocabulary.Count);
        Rules = RuleLoader.LoadText(rulesYaml, "test.yaml", Vocabulary);
        Engine = new RuleEngine(Rules, Vocabulary, Registry, Publisher, Time, options ?? new RuleEngineOptions { DefaultFlapping = FlappingPolicy.Disabled });
    }

    public FieldVocabulary Vocabulary { get; }
    public FakeTimeProvider Time { get; }
    public DeviceRegistry Registry { get; }
    public Reading Reading { get; }
    public RuleSet Rules { get; }
    public RuleEngine Engine { get; set; }
    public RecordingPublisher Publisher { get; } = new();

    public DeviceProfile Environment { get; } = new("acme/ems-200", "acme", "ems-200", "environment") { Index = 0 };
    public DeviceProfile Parking { get; } = new("acme/bay-1", "acme", "bay-1", "parking") { Index = 1 };

    public string[] DefaultTags { get; set; } = ["building", "HQ1", "floor", "3"];

    /// <summary>Added to the reading's timestamp: a device clock that is wrong.</summary>
    public TimeSpan DeviceClockOffset { get; set; }

    /// <summary>Sends one reading for an environment device: <c>Send("ems-1", ("co2", 1200))</c>.</summary>
    public void Send(string device, params (string Field, double Value)[] values) => SendAs(Environment, device, DefaultTags, values);

    public void SendAs(DeviceProfile profile, string device, string[] tags, params (string Field, double Value)[] values) =>
        SendCore(profile, device, tags, (Time.GetUtcNow() + DeviceClockOffset).ToUnixTimeMilliseconds() * 1_000_000, redelivered: false, values);

    /// <summary>A redelivery (MQTT DUP) of an environment reading first sent with timestamp <paramref name="timestampNs"/>.</summary>
    public void Redeliver(string device, long timestampNs, params (string Field, double Value)[] values) =>
        SendCore(Environment, device, DefaultTags, timestampNs, redelivered: true, values);

    /// <summary>An environment reading that came from stream partition <paramref name="partition"/> at <paramref name="sequence"/>.</summary>
    public void SendFromStream(string device, int partition, long sequence, params (string Field, double Value)[] values) =>
        SendFromStream(device, partition, sequence, redelivered: false, values);

    public void SendFromStream(string device, int partition, long sequence, bool redelivered, params (string Field, double Value)[] values)
    {
        _stream = (partition, sequence, null);
        SendCore(Environment, device, DefaultTags, Time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000, redelivered, values);
    }

    /// <summary>A partition's new owner replaying a stream message stored at <paramref name="storedAt"/> (<see cref="RuleEngine.Replay"/>).</summary>
    public void ReplayFromStream(string device, int partition, long sequence, DateTimeOffset storedAt, params (string Field, double Value)[] values)
    {
        _stream = (partition, sequence, storedAt.ToUnixTimeMilliseconds() * 1_000_000);
        SendCore(Environment, device, DefaultTags, storedAt.ToUnixTimeMilliseconds() * 1_000_000, redelivered: false, values);
    }

    private (int Partition, long Sequence, long? ReplayAtNs) _stream = (-1, 0, null);

    private void SendCore(DeviceProfile profile, string device, string[] tags, long timestampNs, bool redelivered, (string Field, double Value)[] values)
    {
        Reading.Reset();
        Reading.Profile = profile;
        Reading.DeviceId = device.AsMemory();
        Reading.TimestampNs = timestampNs;
        Reading.Redelivered = redelivered;
        for (var i = 0; i + 1 < tags.Length; i += 2)
        {
            Reading.AddTag(tags[i], tags[i + 1].AsMemory());
        }

        foreach (var (field, value) in values)
        {
            Assert.True(Vocabulary.TryGet(field, out var def), $"test uses unknown field {field}");
            Reading.Set(def.Id, value);
        }

        Registry.Observe(Reading);
        var (partition, sequence, replayAt) = _stream;
        _stream = (-1, 0, null);
        Reading.Partition = partition;
        Reading.StreamSequence = sequence;
        if (replayAt is { } at)
        {
            Engine.Replay(Reading, at);
        }
        else
        {
            Engine.Evaluate(Reading);
        }
    }

    public void Advance(TimeSpan by) => Time.Advance(by);

    /// <summary>Advances the clock in one-second steps, calling Tick each step as the host does.</summary>
    public void TickFor(TimeSpan span)
    {
        var end = Time.GetUtcNow() + span;
        while (Time.GetUtcNow() < end)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            Engine.Tick();
        }
    }

    public RulePhase? Phase(string rule, string device) => Engine.GetPhase(rule, Environment.Id, device);
}
