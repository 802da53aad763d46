using Microsoft.Extensions.Time.Testing;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Rules.Tests.Support;

/// <summary>
/// Drives one device of a shipped profile through a real engine running every shipped rule: readings carry the tags the
/// profile's topic gives them, values are named as in the vocabulary (enum values by name, booleans as bool), the clock is fake
/// and the engine is ticked as the host ticks it.
/// </summary>
internal sealed class ProfileDriver
{
    private readonly FieldVocabulary _vocabulary;
    private readonly DeviceRegistry _registry;
    private readonly Reading _reading;
    private readonly string[] _tags;

    public ProfileDriver(DeviceProfile profile, RuleSet? rules = null, string device = "dev-1")
    {
        Profile = profile;
        Device = device;
        _vocabulary = ShippedCatalog.Catalog.Vocabulary;
        _registry = new DeviceRegistry(_vocabulary.Count);
        _reading = new Reading(_vocabulary.Count);
        _tags = ShippedCatalog.TagNames(profile).Where(t => t != Core.Decoding.MessageDecoder.DeviceTag).ToArray();
        Engine = new RuleEngine(rules ?? ShippedCatalog.Rules, _vocabulary, _registry, Alerts, Time, new RuleEngineOptions { DefaultFlapping = FlappingPolicy.Disabled });
        Engine.ApplyModel(CatalogBuilding.Create());
    }

    public DeviceProfile Profile { get; }

    public string Device { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));

    public RuleEngine Engine { get; }

    public RecordingPublisher Alerts { get; } = new();

    /// <summary>Transitions of one rule.</summary>
    public List<Alert> Of(string rule) => Alerts.Alerts.Where(a => a.RuleName == rule).ToList();

    /// <summary>One reading now.</summary>
    public void Send(params (string Field, object Value)[] values)
    {
        _reading.Reset();
        _reading.Profile = Profile;
        _reading.DeviceId = Device.AsMemory();
        _reading.TimestampNs = Time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        foreach (var tag in _tags)
        {
            _reading.AddTag(tag, ShippedCatalog.TagValue(tag, Profile).AsMemory());
        }

        _reading.AddTag(Core.Decoding.MessageDecoder.DeviceTag, Device.AsMemory());
        foreach (var (name, value) in values)
        {
            Assert.True(_vocabulary.TryGet(name, out var field), $"unknown field {name}");
            Assert.True(ShippedCatalog.Fields(Profile).Contains(field.Id), $"{Profile.Id} does not decode {name}");
            _reading.Set(field.Id, value switch
            {
                bool b => b ? 1 : 0,
                string s => IndexOf(field, s),
                _ => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture),
            });
        }

        _registry.Observe(_reading);
        Engine.Evaluate(_reading);
    }

    /// <summary>Advances the clock, then sends.</summary>
    public void After(TimeSpan wait, params (string Field, object Value)[] values)
    {
        Wait(wait);
        Send(values);
    }

    /// <summary>Sends the values now and every <paramref name="every"/> (default 30 s) until <paramref name="span"/> has passed.</summary>
    public void Hold(TimeSpan span, (string Field, object Value)[] values, TimeSpan? every = null)
    {
        var step = every ?? TimeSpan.FromSeconds(30);
        var end = Time.GetUtcNow() + span;
        Send(values);
        while (Time.GetUtcNow() < end)
        {
            After(step, values);
        }
    }

    /// <summary>Lets time pass without readings, ticking the engine every second as the host does.</summary>
    public void Wait(TimeSpan span)
    {
        var end = Time.GetUtcNow() + span;
        while (Time.GetUtcNow() < end)
        {
            var step = TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerSecond, (end - Time.GetUtcNow()).Ticks));
            Time.Advance(step);
            Engine.Tick();
        }
    }

    private static int IndexOf(FieldDefinition field, string name)
    {
        var index = field.EnumValues.ToList().IndexOf(name);
        Assert.True(index >= 0, $"{field.Name} has no value '{name}' ({string.Join(", ", field.EnumValues)})");
        return index;
    }
}
