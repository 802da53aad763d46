using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Decoding.Sparkplug;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Model;
using static SmartCity.IoT.Core.Tests.Decoding.DecoderTestKit;
using W = SparkplugPayloadWriter;

namespace SmartCity.IoT.Core.Tests.Decoding.Sparkplug;

/// <summary>Sparkplug B: BIRTH alias tables per edge node and device, DATA by alias or name, seq gaps, DEATH.</summary>
public sealed class SparkplugDecoderTests
{
    private const ulong T = 1_763_884_800_000;
    private const long Received = 1_763_856_000_000_000_000;

    private readonly SparkplugSessionStore _store;
    private readonly MessageDecoder _decoder;
    private readonly ReadingSet _readings = new(Vocabulary.Count);

    public SparkplugDecoderTests() : this(new SparkplugSessionStore())
    {
    }

    private SparkplugDecoderTests(SparkplugSessionStore store)
    {
        _store = store;
        _decoder = NewDecoder(store);
    }

    [Fact]
    public void Data_resolves_by_alias_and_by_name_through_its_birth_table()
    {
        NodeBirth();
        DeviceBirth();
        var byAlias = Decode("spBv1.0/g/DDATA/n1/d1", W.Payload(T + 10, 2, new SpMetric(Alias: 10, Value: 23.5f), new SpMetric(Alias: 11, Value: 900)));
        Assert.True(byAlias.IsSuccess, byAlias.ToString());
        Assert.Equal(23.5, _readings.First.GetOrNaN(0));
        Assert.Equal(900, _readings.First.GetOrNaN(1));
        Assert.Equal("n1/d1", _readings.First.DeviceId.ToString());
        Assert.True(_readings.First.TryGetTag("device", out var tag) && tag.ToString() == "n1/d1");
        Assert.False(_readings.First.TryGetTag("type", out _)); // the message type is a topic level, not a series tag

        var byName = Decode("spBv1.0/g/DDATA/n1/d1", W.Payload(T + 20, 3, new SpMetric("Room/Occupied", Value: true)));
        Assert.True(byName.IsSuccess, byName.ToString());
        Assert.Equal(1, _readings.First.GetOrNaN(3));
        Assert.Equal((long)(T + 20) * 1_000_000, _readings.First.TimestampNs);
    }

    [Theory]
    [InlineData(W.Int8, -5, -5)]
    [InlineData(W.Int16, -300, -300)]
    [InlineData(W.Int32, -40, -40)]
    [InlineData(W.UInt16, 65535, 65535)]
    [InlineData(W.UInt8, 200, 200)]
    public void Signed_types_are_narrowed_from_the_unsigned_wire_value(uint dataType, int sent, double expected) =>
        Assert.Equal(expected, Raw(dataType, sent));

    [Fact]
    public void A_negative_int16_temperature_comes_back_negative()
    {
        Decode("spBv1.0/g/NBIRTH/n1", W.Payload(T, 0, new SpMetric("temp", 1, W.Int16, 20)));
        var data = Decode("spBv1.0/g/NDATA/n1", W.Payload(T + 1, 1, new SpMetric(Alias: 1, Value: -5)));
        Assert.True(data.IsSuccess, data.ToString());
        Assert.Equal(-5, _readings.First.GetOrNaN(0));
    }

    [Fact]
    public void A_negative_int64_temperature_comes_back_negative()
    {
        Decode("spBv1.0/g/NBIRTH/n1", W.Payload(T, 0, new SpMetric("temp", 1, W.Int64, -12L)));
        var data = Decode("spBv1.0/g/NDATA/n1", W.Payload(T + 1, 1, new SpMetric(Alias: 1, Value: -7L)));
        Assert.True(data.IsSuccess, data.ToString());
        Assert.Equal(-7, _readings.First.GetOrNaN(0));
    }

    [Fact]
    public void Data_before_its_birth_is_rejected_and_counted()
    {
        var node = Decode("spBv1.0/g/NDATA/n1", W.Payload(T, 1, new SpMetric(Alias: 1, Value: 21f)));
        Assert.Equal(DecodeError.BirthMissing, node.Error);
        Assert.Contains("before its NBIRTH", node.Detail);

        NodeBirth();
        var device = Decode("spBv1.0/g/DDATA/n1/d1", W.Payload(T, 1, new SpMetric(Alias: 10, Value: 21f)));
        Assert.Equal(DecodeError.BirthMissing, device.Error);
        Assert.Contains("device g/n1/d1 before its DBIRTH", device.Detail);
        Assert.Equal(2, _store.MissingBirths);
    }

    [Fact]
    public void An_unknown_alias_fails_the_whole_message_and_is_counted()
    {
        NodeBirth();
        DeviceBirth();
        var result = Decode("spBv1.0/g/DDATA/n1/d1", W.Payload(T, 2, new SpMetric(Alias: 10, Value: 21f), new SpMetric(Alias: 77, Value: 3)));
        Assert.Equal(DecodeError.UnknownMetric, result.Error);
        Assert.Contains("alias 77", result.Detail);
        Assert.Equal(1, _store.UnknownMetrics);
    }

    [Fact]
    public void A_seq_gap_is_counted_and_warned_once_and_the_wrap_is_no_gap()
    {
        Decode("spBv1.0/g/NBIRTH/n1", W.Payload(T, 254, new SpMetric("temp", 1, W.Float, 20f)));
        Assert.Null(Decode("spBv1.0/g/NDATA/n1", W.Payload(T, 255, new SpMetric(Alias: 1, Value: 20f))).Warning);
        Assert.Null(Decode("spBv1.0/g/NDATA/n1", W.Payload(T, 0, new SpMetric(Alias: 1, Value: 20f))).Warning);
        var gap = Decode("spBv1.0/g/NDATA/n1", W.Payload(T, 4, new SpMetric(Alias: 1, Value: 20f)));
        Assert.True(gap.IsSuccess);
        Assert.Contains("expected 1, got 4 (3 message(s) missing", gap.Warning);
        Assert.Null(Decode("spBv1.0/g/NDATA/n1", W.Payload(T, 5, new SpMetric(Alias: 1, Value: 20f))).Warning);
        Assert.Equal(1, _store.SeqGaps);
    }

    [Fact]
    public void Node_death_takes_the_node_and_its_devices_offline_and_forgets_their_tables()
    {
        NodeBirth();
        DeviceBirth();
        var death = Decode("spBv1.0/g/NDEATH/n1", W.Payload(null, null, new SpMetric("bdSeq", DataType: W.Int64, Value: 7L)));
        Assert.True(death.IsAvailability, death.ToString());
        Assert.Equal(DeviceAvailability.Offline, death.Availability);
        Assert.True(death.AvailabilityIncludesChildren);
        Assert.Equal("n1", _readings.First.DeviceId.ToString());
        Assert.Equal(0, _store.Tables);
        Assert.Equal(DecodeError.BirthMissing, Decode("spBv1.0/g/DDATA/n1/d1", W.Payload(T, 3, new SpMetric(Alias: 10, Value: 21f))).Error);
    }

    [Fact]
    public void The_will_of_an_earlier_connection_changes_nothing()
    {
        NodeBirth();
        var stale = Decode("spBv1.0/g/NDEATH/n1", W.Payload(null, null, new SpMetric("bdSeq", DataType: W.Int64, Value: 6L)));
        Assert.Equal(DecodeError.UnknownAvailability, stale.Error);
        Assert.True(Decode("spBv1.0/g/NDATA/n1", W.Payload(T, 1, new SpMetric(Alias: 1, Value: 20f))).IsSuccess);
    }

    [Fact]
    public void Device_death_marks_only_that_device_and_a_birth_brings_it_back_online()
    {
        NodeBirth();
        var birth = DeviceBirth();
        Assert.True(birth.ChangesAvailability);
        Assert.Equal(DeviceAvailability.Online, birth.Availability);
        var death = Decode("spBv1.0/g/DDEATH/n1/d1", W.Payload(T, 2));
        Assert.True(death.IsAvailability);
        Assert.Equal(DeviceAvailability.Offline, death.Availability);
        Assert.False(death.AvailabilityIncludesChildren);
        Assert.Equal("n1/d1", _readings.First.DeviceId.ToString());
        Assert.True(Decode("spBv1.0/g/NDATA/n1", W.Payload(T, 3, new SpMetric(Alias: 1, Value: 20f))).IsSuccess);
    }

    [Fact]
    public void A_rebirth_replaces_the_alias_table()
    {
        NodeBirth();
        Decode("spBv1.0/g/NBIRTH/n1", W.Payload(T, 0, new SpMetric("temp", 1, W.Float, 20f), new SpMetric("co2", 2, W.UInt16, 500)));
        var data = Decode("spBv1.0/g/NDATA/n1", W.Payload(T, 1, new SpMetric(Alias: 2, Value: 610)));
        Assert.True(data.IsSuccess, data.ToString());
        Assert.Equal(610, _readings.First.GetOrNaN(1));
        Assert.Equal(1, _store.Tables);
    }

    [Fact]
    public void The_store_keeps_at_most_its_bound_of_birth_tables()
    {
        var t = new SparkplugDecoderTests(new SparkplugSessionStore(maxTables: 2));
        t.NodeBirth();
        t.DeviceBirth();
        var third = t.Decode("spBv1.0/g/DBIRTH/n1/d2", W.Payload(T, 2, new SpMetric("temp", 10, W.Float, 21f)));
        Assert.Equal(DecodeError.DeviceLimitReached, third.Error);
        Assert.True(t.DeviceBirth(seq: 3).IsSuccess); // a rebirth of a known device still fits
        Assert.Equal(2, t._store.Tables);
    }

    [Fact]
    public void A_metric_with_its_own_time_is_a_reading_at_that_time()
    {
        NodeBirth();
        var result = Decode("spBv1.0/g/NDATA/n1", W.Payload(T + 5000, 1, new SpMetric(Alias: 1, Value: 19f, Timestamp: T + 1000, Historical: true), new SpMetric(Alias: 1, Value: 20f)));
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(2, result.Readings);
        Assert.Equal([(long)(T + 1000) * 1_000_000, (long)(T + 5000) * 1_000_000], new[] { _readings[0].TimestampNs, _readings[1].TimestampNs });
        Assert.Equal([19.0, 20.0], new[] { _readings[0].GetOrNaN(0), _readings[1].GetOrNaN(0) });
    }

    [Fact]
    public void Data_with_only_unmapped_metrics_is_a_sign_of_life_not_a_rejection()
    {
        NodeBirth();
        var result = Decode("spBv1.0/g/NDATA/n1", W.Payload(T, 1, new SpMetric(Alias: 9, Value: true)));
        Assert.True(result.IsAvailability, result.ToString());
        Assert.Equal(DeviceAvailability.Online, result.Availability);
    }

    [Theory]
    [InlineData("spBv1.0/g/NCMD/n1", "command")]
    [InlineData("spBv1.0/g/DDATA/n1", "needs a device level")]
    [InlineData("spBv1.0/g/STATUS/n1", "not a Sparkplug B message type")]
    public void Topics_that_are_no_telemetry_say_why(string topic, string reason)
    {
        var result = Decode(topic, W.Payload(T, 1));
        Assert.Equal(DecodeError.NoMatchingProfile, result.Error);
        Assert.Contains(reason, result.Detail);
    }

    [Fact]
    public void A_birth_metric_without_a_name_or_a_reused_alias_is_malformed()
    {
        Assert.Contains("has no name", Decode("spBv1.0/g/NBIRTH/n1", W.Payload(T, 0, new SpMetric(Alias: 1, DataType: W.Float, Value: 1f))).Detail);
        Assert.Contains("gives alias 1 to both", Decode("spBv1.0/g/NBIRTH/n1", W.Payload(T, 0, new SpMetric("temp", 1, W.Float, 1f), new SpMetric("co2", 1, W.Float, 1f))).Detail);
    }

    [Fact]
    public void Decoding_from_many_threads_keeps_each_edge_node_apart()
    {
        Parallel.For(0, 8, n =>
        {
            var readings = new ReadingSet(Vocabulary.Count);
            var node = "n" + n;
            Assert.True(_decoder.Decode($"spBv1.0/g/NBIRTH/{node}", W.Payload(T, 0, new SpMetric("temp", (ulong)n, W.Float, 1f)), readings, Received).IsSuccess);
            for (var i = 1; i <= 200; i++)
            {
                var r = _decoder.Decode($"spBv1.0/g/NDATA/{node}", W.Payload(T, (ulong)(i & 0xFF), new SpMetric(Alias: (ulong)n, Value: (float)n)), readings, Received);
                Assert.True(r.IsSuccess && r.Warning is null, r.ToString());
                Assert.Equal(n, readings.First.GetOrNaN(0));
            }
        });
        Assert.Equal(8, _store.Tables);
        Assert.Equal(0, _store.SeqGaps);
    }

    [Fact]
    public void Data_by_alias_allocates_nothing_in_steady_state()
    {
        NodeBirth();
        // In seq order (a repeated seq would be a gap, whose warning is a string).
        var payloads = Enumerable.Range(0, 256).Select(seq => W.Payload(T, (ulong)seq, new SpMetric(Alias: 1, Value: 20.5f))).ToArray();
        const string topic = "spBv1.0/g/NDATA/n1";
        var next = 1;
        for (var i = 0; i < 300; i++, next = (next + 1) & 0xFF)
        {
            _decoder.Decode(topic, payloads[next], _readings, Received);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++, next = (next + 1) & 0xFF)
        {
            _decoder.Decode(topic, payloads[next], _readings, Received);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(20.5, _readings.First.GetOrNaN(0));
    }

    private static double Raw(uint dataType, int sent)
    {
        var m = new SparkplugMetric { Kind = SparkplugValueKind.Int, Bits = unchecked((uint)sent) };
        return m.Number((SparkplugDataType)dataType);
    }

    private static MessageDecoder NewDecoder(SparkplugSessionStore store)
    {
        var fields = new[]
        {
            new SparkplugField("temp", Map("temperature", "metric 'temp'")),
            new SparkplugField("co2", Map("co2", "metric 'co2'")),
            new SparkplugField("Room/Occupied", Map("occupancy", "metric 'Room/Occupied'")),
        };
        var profile = new DeviceProfile("acme/spb", "Acme", "SPB", "environment");
        var node = TopicTemplate.Parse("spBv1.0/{group}/{type}/{edge}", "edge");
        var device = TopicTemplate.Parse("spBv1.0/{group}/{type}/{edge}/{device}");
        profile.AttachDecoding(new ProfileDecoding([node, device], new SparkplugPayloadDecoder(fields, "type", store), null, 65536));
        return new MessageDecoder([profile]);
    }

    private DecodeResult NodeBirth() =>
        Decode("spBv1.0/g/NBIRTH/n1", W.Payload(T, 0, new SpMetric("bdSeq", DataType: W.Int64, Value: 7L), new SpMetric("temp", 1, W.Float, 20f), new SpMetric("Node Control/Rebirth", 9, W.Boolean, false)));

    private DecodeResult DeviceBirth(ulong seq = 1) =>
        Decode("spBv1.0/g/DBIRTH/n1/d1", W.Payload(T, seq, new SpMetric("temp", 10, W.Float, 21f), new SpMetric("co2", 11, W.UInt16, 640), new SpMetric("Room/Occupied", 12, W.Boolean, false)));

    private DecodeResult Decode(string topic, byte[] payload) => _decoder.Decode(topic, payload, _readings, Received);
}
