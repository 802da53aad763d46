using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Rules.Tests.Support;

/// <summary>
/// A rule engine on a manual clock fed by 200 devices of one profile, a reading every 50 ms and a tick after each round:
/// the steady state in which the allocation tests measure the hot path.
/// </summary>
internal sealed class SteadyStateEngine
{
    private readonly FieldVocabulary _vocabulary;
    private readonly DeviceProfile _profile = new("acme/ems-200", "acme", "ems-200", "environment") { Index = 0 };
    private readonly Reading _reading;

    public SteadyStateEngine(RuleSet rules, FieldVocabulary vocabulary)
    {
        _vocabulary = vocabulary;
        _reading = new Reading(vocabulary.Count);
        Registry = new DeviceRegistry(vocabulary.Count);
        Engine = new RuleEngine(rules, vocabulary, Registry, Publisher, Time);
    }

    public ManualTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));

    public DeviceRegistry Registry { get; }

    public RecordingPublisher Publisher { get; } = new();

    public RuleEngine Engine { get; }

    public string[] Devices { get; } = Enumerable.Range(0, 200).Select(i => $"ems-{i:D4}").ToArray();

    public int[] FieldIds(params string[] names) => names.Select(n =>
    {
        _vocabulary.TryGet(n, out var field);
        return field.Id;
    }).ToArray();

    /// <summary>Runs <paramref name="rounds"/> rounds; <paramref name="fill"/> sets the values and tags of device d's reading in round r.</summary>
    /// <remarks>Pass the same delegate to every call: a lambda written at the call site may allocate its closure there.</remarks>
    public void Run(int rounds, Action<Reading, int, int> fill)
    {
        for (var r = 0; r < rounds; r++)
        {
            for (var d = 0; d < Devices.Length; d++)
            {
                Time.Now = Time.Now.AddMilliseconds(50);
                _reading.Reset();
                _reading.Profile = _profile;
                _reading.DeviceId = Devices[d].AsMemory();
                _reading.TimestampNs = 1;
                fill(_reading, d, r);
                Registry.Observe(_reading);
                Engine.Evaluate(_reading);
            }

            Engine.Tick();
        }
    }

    /// <summary>The bytes this thread allocates while it runs <paramref name="rounds"/> rounds.</summary>
    public long AllocatedBy(int rounds, Action<Reading, int, int> fill)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(rounds, fill);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
