using System.Text;
using BenchmarkDotNet.Attributes;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Devices;

namespace SmartCity.IoT.Benchmarks;

/// <summary>
/// Decoding one message of each binary format through the shipped profiles, against today's JSON decode: a fixed layout
/// (lionrock/om-100), a type-length-value record list (harbourtech/pem-20, 8 fields) and Cayenne LPP with two probe
/// instances (lionrock/clm-4, 8 fields in 3 readings). One operation = one message.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class RecordDecodeBenchmarks
{
    private const long Received = 1_763_856_000_000_000_000;

    private DeviceCatalog _catalog = null!;
    private ReadingSet _readings = null!;
    private byte[] _json = null!;
    private byte[] _fixed = null!;
    private byte[] _records = null!;
    private byte[] _lpp = null!;

    [GlobalSetup]
    public void Setup()
    {
        _catalog = DeviceCatalog.Load(Path.Combine(RepoRoot.Find(), "devices"));
        _readings = _catalog.CreateReadingSet();
        _json = Encoding.UTF8.GetBytes("""{"ts":1763884800000,"fw":"2.4.1","climate":{"t":23.4,"rh":58.2},"air":{"co2":812,"tvoc":0.21,"pm":{"pm2_5":9.4,"pm10":17.0}},"acoustic":{"laeq":48.6},"battery":96}""");
        _fixed = Convert.FromHexString("01000C01C25A0924");
        _records = Convert.FromHexString("070201910504" + "87D612000102092906010B040201CC030274E1020161");
        _lpp = Convert.FromHexString("0883 0001E240 0567FFF6 07 02014A 010000 06732791 0367001C 04686E 026603".Replace(" ", "", StringComparison.Ordinal));
        foreach (var (topic, payload, readings) in Cases())
        {
            var result = _catalog.Decoder.Decode(topic, payload, _readings, Received);
            if (!result.IsSuccess || result.Readings != readings)
            {
                throw new InvalidOperationException($"{topic}: {result} ({result.Readings} readings, expected {readings})");
            }
        }
    }

    [Benchmark(Baseline = true, Description = "JSON (harbourtech/ies-300, 8 fields)")]
    public int Json() => _catalog.Decoder.Decode("buildings/hq/floors/3/env/ies-0042/telemetry", _json, _readings, Received).Readings;

    [Benchmark(Description = "fixed binary (lionrock/om-100, 5 fields)")]
    public int Fixed() => _catalog.Decoder.Decode("buildings/hq/floors/2/occupancy/meeting-2a/om-0201/up", _fixed, _readings, Received).Readings;

    [Benchmark(Description = "record list, reordered (harbourtech/pem-20, 8 fields)")]
    public int Records() => _catalog.Decoder.Decode("buildings/hq/floors/1/pem/pem-0007/up", _records, _readings, Received).Readings;

    [Benchmark(Description = "Cayenne LPP, reordered (lionrock/clm-4, 8 fields, 3 readings)")]
    public int Lpp() => _catalog.Decoder.Decode("buildings/hq/cold-rooms/kiosk-3/clm-0031/lpp", _lpp, _readings, Received).Readings;

    private IEnumerable<(string Topic, byte[] Payload, int Readings)> Cases() =>
    [
        ("buildings/hq/floors/3/env/ies-0042/telemetry", _json, 1),
        ("buildings/hq/floors/2/occupancy/meeting-2a/om-0201/up", _fixed, 1),
        ("buildings/hq/floors/1/pem/pem-0007/up", _records, 1),
        ("buildings/hq/cold-rooms/kiosk-3/clm-0031/lpp", _lpp, 3),
    ];
}
