using System.Text;
using BenchmarkDotNet.Attributes;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Devices;

namespace SmartCity.IoT.Benchmarks;

/// <summary>
/// Decoding one message of each JSON shape through the shipped profiles (topic routing, payload, timestamp, units).
/// One operation = one reading (OperationsPerInvoke = the readings the message yields), so the columns are per reading
/// and comparable with today's flat JSON decode (the baseline).
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class FormatDecodeBenchmarks
{
    private const long Received = 1_763_856_000_000_000_000;
    private DeviceCatalog _catalog = null!;
    private ReadingSet _readings = null!;
    private (string Topic, byte[] Payload) _flat, _senml, _senmlSeries, _probes, _filters;

    [GlobalSetup]
    public void Setup()
    {
        _catalog = DeviceCatalog.Load(Path.Combine(RepoRoot.Find(), "devices"));
        _readings = _catalog.CreateReadingSet();
        _flat = ("buildings/hq/floors/3/env/ies-0042/telemetry", Encoding.UTF8.GetBytes("""{"ts":1763884800000,"climate":{"t":23.4,"rh":58.2},"air":{"co2":812,"tvoc":0.21,"pm":{"pm2_5":9.4,"pm10":17.0}},"battery":96}"""));
        _senml = ("buildings/hq/senml/gw-01", Encoding.UTF8.GetBytes("""[{"bn":"urn:dev:mac:0024befffe804ff1:","bt":1763856000,"n":"temp","u":"Cel","v":21.5},{"n":"hum","u":"%RH","v":44},{"n":"co2","u":"ppm","v":812},{"n":"pressure","u":"Pa","v":101325}]"""));
        _senmlSeries = ("buildings/hq/senml/gw-01", Encoding.UTF8.GetBytes("""[{"bn":"urn:dev:mac:0024befffe804ff1:","bt":1763856000,"bu":"Cel","n":"temp","t":-120,"v":21},{"n":"temp","t":-60,"v":21.25},{"n":"temp","v":21.5}]"""));
        _probes = ("buildings/hq/racks/rt4-0007/data", Encoding.UTF8.GetBytes("""{"time":"2025-11-23 08:00:00Z","bat":3610,"probes":[{"ch":1,"t":24.2},{"ch":2,"t":31.5}]}"""));
        _filters = ("sites/kai-tak/airsense/pm1-0042/measurements", Encoding.UTF8.GetBytes("""{"ts":1763884800,"data":[{"type":"pm2_5","value":9.3,"unit":"µg/m³"},{"type":"pm10","unit":"mg/m3","value":0.021},{"type":"temp","value":71.6,"unit":"°F"},{"type":"rh","value":645}]}"""));
        foreach (var (topic, payload, readings) in new[] { (_flat, 1), (_senml, 1), (_senmlSeries, 3), (_probes, 3), (_filters, 1) }.Select(x => (x.Item1.Topic, x.Item1.Payload, x.Item2)))
        {
            var result = _catalog.Decode(topic, payload, _readings, Received);
            for (var i = 0; i < 50_000; i++)
            {
                // Past tiered compilation before the first measurement (in-process runs share one JIT).
                _catalog.Decode(topic, payload, _readings, Received);
            }

            if (!result.IsSuccess || result.Readings != readings || result.RejectedFields > 0)
            {
                throw new InvalidOperationException($"{topic}: {result} ({result.Readings} readings, expected {readings})");
            }
        }
    }

    [Benchmark(Baseline = true, Description = "flat JSON, 1 reading (harbourtech/ies-300)")]
    public int FlatJson() => Decode(_flat);

    [Benchmark(Description = "SenML pack, 4 records, 1 reading")]
    public int Senml() => Decode(_senml);

    [Benchmark(OperationsPerInvoke = 3, Description = "SenML pack, 3 times, 3 readings")]
    public int SenmlSeries() => Decode(_senmlSeries);

    [Benchmark(OperationsPerInvoke = 3, Description = "JSON [*] probes, 3 readings (rackwatch/rt-4)")]
    public int JsonProbes() => Decode(_probes);

    [Benchmark(Description = "JSON filters + payload units, 1 reading (airsense/pm-1)")]
    public int JsonFilters() => Decode(_filters);

    private int Decode((string Topic, byte[] Payload) message) => _catalog.Decode(message.Topic, message.Payload, _readings, Received).Readings;
}
