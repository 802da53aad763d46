using System.Buffers;
using System.Globalization;
using System.Text;
using SmartCity.IoT.Benchmarks.Naive;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.LineProtocol;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Loading;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Benchmarks;

/// <summary>
/// The realistic mix: 10,000 indoor-environment sensors (harbourtech/ies-300 profile from devices/, nested JSON with 7
/// fields) in 20 buildings x 10 floors, each reporting once a minute (the clock advances 6 ms per reading), against the
/// 50 rules of <see cref="BenchmarkRules"/>. Values differ per device and stay constant, so a share of alerts fire during
/// warm-up and then stay firing (steady state: no transitions).
/// </summary>
internal sealed class Workload
{
    public const int DeviceCount = 10_000;

    /// <summary>Devices in this run: 10,000 unless --quick is given another count (to see cache effects).</summary>
    public static int Devices { get; set; } = DeviceCount;

    /// <summary>Overrides the rule file (--quick experiments only).</summary>
    public static string? RulesYaml { get; set; }

    public static long StepTicks => TimeSpan.FromSeconds(60).Ticks / Devices;

    public Workload()
    {
        var root = RepoRoot.Find();
        Catalog = DeviceCatalog.Load(Path.Combine(root, "devices"));
        Vocabulary = Catalog.Vocabulary;
        Rules = RuleLoader.LoadText(RulesYaml ?? BenchmarkRules.Yaml(), "benchmark-rules.yaml", Vocabulary);
        Time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        Registry = new DeviceRegistry(Vocabulary.Count);
        Engine = new RuleEngine(Rules, Vocabulary, Registry, Publisher, Time);
        NaiveEngine = new NaiveEngine(BenchmarkRules.Naive(), Time, NaivePublisher);
        Scratch = Catalog.CreateReading();
        Topics = new string[Devices];
        Payloads = new byte[Devices][];
        for (var i = 0; i < Devices; i++)
        {
            var building = $"b{i % BenchmarkRules.Buildings:D2}";
            var floor = (i / BenchmarkRules.Buildings % 10 + 1).ToString(CultureInfo.InvariantCulture);
            Topics[i] = $"buildings/{building}/floors/{floor}/env/ies-{i:D5}/telemetry";
            var t = 21 + i % 70 / 10.0;
            var rh = 40 + i % 35;
            var co2 = 450 + i * 37 % 1100;
            var tvoc = 0.05 + i % 13 / 100.0;
            var pm25 = 5 + i % 40;
            var pm10 = pm25 * 1.6;
            var battery = 60 + i % 40;
            Payloads[i] = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $$$"""{"ts":1763884800000,"fw":"2.4.1","climate":{"t":{{{t}}},"rh":{{{rh}}}},"air":{"co2":{{{co2}}},"tvoc":{{{tvoc}}},"pm":{"pm2_5":{{{pm25}}},"pm10":{{{pm10}}}}},"battery":{{{battery}}}}"""));
        }

        // Pre-decoded readings (one per device) for "rule evaluation alone", and their naive equivalents.
        Decoded = new Reading[Devices];
        DecodedIds = new int[Devices][];
        DecodedValues = new double[Devices][];
        NaiveFields = new Dictionary<string, double>[Devices];
        NaiveTags = new Dictionary<string, string>[Devices];
        for (var i = 0; i < Devices; i++)
        {
            var reading = Catalog.CreateReading();
            var result = Catalog.Decode(Topics[i], Payloads[i], reading, NowNs);
            if (!result.IsSuccess || reading.FieldCount != 7)
            {
                throw new InvalidOperationException($"decode failed for {Topics[i]}: {result}");
            }

            Registry.Observe(reading);
            Decoded[i] = reading;
            DecodedIds[i] = reading.FieldIds.ToArray();
            DecodedValues[i] = DecodedIds[i].Select(reading.GetOrNaN).ToArray();
            NaiveFields[i] = reading.FieldIds.ToArray().ToDictionary(id => Vocabulary[id].Name, id => reading.GetOrNaN(id));
            NaiveTags[i] = reading.Tags.ToArray().ToDictionary(t => t.Key, t => t.Value.ToString());
        }

        FlatIds = DecodedIds[0];
        FlatValues = new double[Devices * FlatIds.Length];
        DeviceIndexes = new int[Devices];
        for (var i = 0; i < Devices; i++)
        {
            if (!DecodedIds[i].AsSpan().SequenceEqual(FlatIds))
            {
                throw new InvalidOperationException($"device {i} decoded other fields than device 0");
            }

            DecodedValues[i].CopyTo(FlatValues, i * FlatIds.Length);
            DeviceIndexes[i] = Decoded[i].DeviceIndex;
        }

        Output = new ArrayBufferWriter<byte>(8 << 20);
    }

    /// <summary>The field ids every device's reading carries (all devices decode the same 7 fields, in the same order).</summary>
    public int[] FlatIds { get; }

    /// <summary>Device i's values at [i * FlatIds.Length ..].</summary>
    public double[] FlatValues { get; }

    public int[] DeviceIndexes { get; }

    public DeviceCatalog Catalog { get; }
    public FieldVocabulary Vocabulary { get; }
    public RuleSet Rules { get; }
    public ManualTimeProvider Time { get; }
    public DeviceRegistry Registry { get; }
    public RuleEngine Engine { get; }
    public CountingPublisher Publisher { get; } = new();
    public NaiveEngine NaiveEngine { get; }
    public CountingPublisher NaivePublisher { get; } = new();
    public string[] Topics { get; }
    public byte[][] Payloads { get; }
    public Reading[] Decoded { get; }
    public int[][] DecodedIds { get; }
    public double[][] DecodedValues { get; }
    public Reading Scratch { get; }
    public Dictionary<string, double>[] NaiveFields { get; }
    public Dictionary<string, string>[] NaiveTags { get; }
    public ArrayBufferWriter<byte> Output { get; }

    public long NowNs => (Time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    /// <summary>How many threshold rules apply to the first device (the per-reading work), for the report.</summary>
    public int RulesPerDevice => Engine.ActiveAlerts().Count >= 0 ? Rules.Rules.Count(r => r.Match.Matches("harbourtech/ies-300", "environment", "ies-00000", Registry[0].Tags)) : 0;

    /// <summary>
    /// Rule evaluation alone: one pass over all devices. The values were decoded (and observed by the registry) in setup;
    /// each message refills the one reused <see cref="Reading"/>, as the pipeline does, and evaluates it.
    /// </summary>
    public void EvaluateAll()
    {
        var reading = Scratch;
        var profile = Decoded[0].Profile;
        // Flat, sequential inputs (as a receive buffer would be): the harness should not add its own cache misses
        // to the engine's (per-device arrays of ids and values cost about three misses per reading at 10,000 devices).
        var ids = FlatIds;
        var values = FlatValues;
        var indexes = DeviceIndexes;
        for (var i = 0; i < indexes.Length; i++)
        {
            Time.Advance(StepTicks);
            reading.Reset();
            reading.Profile = profile;
            reading.DeviceIndex = indexes[i];
            var row = values.AsSpan(i * ids.Length, ids.Length);
            for (var f = 0; f < ids.Length; f++)
            {
                reading.Set(ids[f], row[f]);
            }

            Engine.Evaluate(reading);
        }
    }

    /// <summary>The hot path: decode (device catalog) + registry + evaluate + line protocol into a pooled buffer.</summary>
    public void PipelineAll()
    {
        Output.ResetWrittenCount();
        var reading = Scratch;
        for (var i = 0; i < Topics.Length; i++)
        {
            Time.Advance(StepTicks);
            var result = Catalog.Decode(Topics[i], Payloads[i], reading, NowNs);
            if (!result.IsSuccess)
            {
                Throw(i);
            }

            Registry.Observe(reading);
            Engine.Evaluate(reading);
            LineProtocolWriter.WriteReading(Output, reading, Vocabulary);
        }
    }

    public void NaiveEvaluateAll()
    {
        for (var i = 0; i < Topics.Length; i++)
        {
            Time.Advance(StepTicks);
            NaiveEngine.Evaluate("harbourtech/ies-300", "environment", NaiveTags[i]["device"], NaiveTags[i], NaiveFields[i]);
        }
    }

    public void NaivePipelineAll()
    {
        Output.ResetWrittenCount();
        for (var i = 0; i < Topics.Length; i++)
        {
            Time.Advance(StepTicks);
            var (tags, fields, ts) = NaiveDecoder.Decode(Topics[i], Payloads[i]);
            NaiveEngine.Evaluate("harbourtech/ies-300", "environment", tags["device"], tags, fields);
            var line = NaiveDecoder.LineProtocol("environment", tags, fields, ts);
            Output.Write(Encoding.UTF8.GetBytes(line));
        }
    }

    /// <summary>Runs enough passes for windows to fill and alerts to settle (30 simulated minutes).</summary>
    public void WarmUp(Action pass, int passes = 30)
    {
        for (var i = 0; i < passes; i++)
        {
            pass();
        }
    }

    private void Throw(int i) => throw new InvalidOperationException($"decode failed for {Topics[i]}");
}
