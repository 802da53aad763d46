using System.Text;
using BenchmarkDotNet.Attributes;
using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Devices;
using W = SparkplugPayloadWriter;

namespace SmartCity.IoT.Benchmarks;

/// <summary>
/// Decoding one message of the shipped profiles (decoder only): a JSON reading (today's baseline), a Sparkplug B DDATA
/// by alias (two metrics, one reading), a JavaScript codec frame (fieldsense/th-lora, three fields), and a frame on which
/// that codec loops forever: its time is how long the sandbox takes to cut the call off (the limit is 100 ms).
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class SparkplugCodecBenchmarks
{
    private const int SeqCycle = 256;
    private const ulong T = 1_763_884_800_000;
    private const string SparkplugTopic = "spBv1.0/plant-a/DDATA/gw-01/room-101";
    private const string CodecTopic = "fieldsense/th-0007/up/2";
    private const string JsonTopic = "v3/pavilion-am319@ttn/devices/am319-lobby/up";

    private readonly byte[][] _data = new byte[SeqCycle][];
    private DeviceCatalog _catalog = null!;
    private ReadingSet _readings = null!;
    private byte[] _json = null!;
    private byte[] _codec = null!;
    private byte[] _endless = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _catalog = DeviceCatalog.Load(Path.Combine(RepoRoot.Find(), "devices"));
        _readings = _catalog.CreateReadingSet();
        Check(_catalog.Decoder.Decode("spBv1.0/plant-a/NBIRTH/gw-01", W.Payload(T, 0, new SpMetric("bdSeq", DataType: W.Int64, Value: 0L)), _readings, 0));
        Check(_catalog.Decoder.Decode("spBv1.0/plant-a/DBIRTH/gw-01/room-101", W.Payload(T, 1,
            new SpMetric("Sensors/Temperature", 10, W.Float, 22.25f), new SpMetric("Sensors/CO2", 12, W.UInt16, 640)), _readings, 0));
        for (var seq = 0; seq < SeqCycle; seq++)
        {
            _data[seq] = W.Payload(T + (ulong)seq, (ulong)seq, new SpMetric(Alias: 10, Value: 22.5f + seq % 10), new SpMetric(Alias: 12, Value: 600 + seq));
        }

        _next = 2;
        _json = Encoding.UTF8.GetBytes("""{"end_device_ids":{"device_id":"am319-lobby","dev_eui":"24E124710C140003"},"received_at":"2025-11-23T08:00:00Z","uplink_message":{"decoded_payload":{"temperature":23.8,"humidity":62,"co2":936,"pm2.5":32,"pm10":48,"pressure":1008.6},"rx_metadata":[{"rssi":-71}]}}""");
        _codec = "0100E6025A030E1A"u8.ToArray();
        Check(_catalog.Decoder.Decode(JsonTopic, _json, _readings, 0));
        Check(_catalog.Decoder.Decode(CodecTopic, _codec, _readings, 0));
        _endless = "0100E609"u8.ToArray(); // record type 0x09: th-lora.js never advances past it
        CodecEndlessLoop();
        SparkplugData();
    }

    [Benchmark(Baseline = true, Description = "JSON (TTN decoded_payload, 7 fields)")]
    public DecodeResult Json() => _catalog.Decoder.Decode(JsonTopic, _json, _readings, 0);

    [Benchmark(OperationsPerInvoke = SeqCycle, Description = "Sparkplug B DDATA by alias (2 metrics)")]
    public void SparkplugData()
    {
        // In seq order, as an edge node sends them (a repeated seq would be a gap).
        for (var i = 0; i < SeqCycle; i++)
        {
            var r = _catalog.Decoder.Decode(SparkplugTopic, _data[_next], _readings, 0);
            if (r.Warning is not null || !r.IsSuccess)
            {
                throw new InvalidOperationException(r.Warning ?? r.ToString());
            }

            _next = (_next + 1) & 0xFF;
        }
    }

    [Benchmark(Description = "JavaScript codec (Jint sandbox, 3 fields)")]
    public DecodeResult Codec() => _catalog.Decoder.Decode(CodecTopic, _codec, _readings, 0);

    [Benchmark(Description = "JavaScript codec, endless loop cut off (limit 100 ms)")]
    public DecodeResult CodecEndlessLoop()
    {
        var r = _catalog.Decoder.Decode(CodecTopic, _endless, _readings, 0);
        return r.Error == DecodeError.CodecLimit ? r : throw new InvalidOperationException("not cut off by a limit: " + r);
    }

    private static void Check(DecodeResult r)
    {
        if (!r.IsSuccess)
        {
            throw new InvalidOperationException(r.ToString());
        }
    }
}
