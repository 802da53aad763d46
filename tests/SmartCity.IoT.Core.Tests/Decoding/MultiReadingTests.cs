using System.Buffers;
using System.Text;
using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.LineProtocol;
using SmartCity.IoT.Core.Model;
using static SmartCity.IoT.Core.Tests.Decoding.DecoderTestKit;

namespace SmartCity.IoT.Core.Tests.Decoding;

/// <summary>The multi-reading mechanism: a decoder takes further readings from <see cref="DecodeContext.Readings"/>.</summary>
public sealed class MultiReadingTests
{
    private const long Received = 1_763_856_000_000_000_000;

    [Fact]
    public void Samples_devices_and_instances_become_readings_in_time_order_with_the_message_tags()
    {
        // "t@s" is a temperature at a time; "t/p" a temperature of probe p; "t>d" a temperature of device d; "h" goes to the message's reading.
        var decoder = Decoder("b/{building}/{device}", new TextDecoder());
        var readings = new ReadingSet(Vocabulary.Count);
        var result = decoder.Decode("b/hq/d1", "21@1763856120;20@1763856060;40h;22/1;23/2;24>d9"u8, readings, Received);

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(6, result.Readings);
        Assert.Equal(
            [
                "environment,building=hq,device=d1,model=acme/x humidity=40 1763856000000000000",
                "environment,building=hq,device=d1,model=acme/x,probe=1 temperature=22 1763856000000000000",
                "environment,building=hq,device=d1,model=acme/x,probe=2 temperature=23 1763856000000000000",
                "environment,building=hq,device=d9,model=acme/x temperature=24 1763856000000000000",
                "environment,building=hq,device=d1,model=acme/x temperature=20 1763856060000000000",
                "environment,building=hq,device=d1,model=acme/x temperature=21 1763856120000000000",
            ],
            Lines(readings));
        Assert.Equal(["d1", "d1/probe=1", "d1/probe=2", "d9", "d1", "d1"], Enumerable.Range(0, readings.Count).Select(i => readings[i].DeviceId.ToString()));
    }

    [Fact]
    public void The_message_reading_may_stay_empty_and_a_message_with_no_field_anywhere_fails()
    {
        var decoder = Decoder("b/{building}/{device}", new TextDecoder());
        var readings = new ReadingSet(Vocabulary.Count);
        var ok = decoder.Decode("b/hq/d1", "22/1"u8, readings, Received);
        Assert.Equal(1, ok.Readings);
        Assert.Equal(0, readings.First.FieldCount);

        var none = decoder.Decode("b/hq/d1", "999/1"u8, readings, Received);
        Assert.Equal(DecodeError.NoValidFields, none.Error);
        Assert.Contains("outside the valid range", none.Detail);
    }

    [Fact]
    public void More_readings_than_the_limit_fail_the_message_instead_of_growing()
    {
        var decoder = Decoder("b/{building}/{device}", new TextDecoder());
        var readings = new ReadingSet(Vocabulary.Count, maxReadings: 3);
        var result = decoder.Decode("b/hq/d1", "1/1;2/2;3/3;4/4"u8, readings, Received);
        Assert.Equal(DecodeError.PayloadTooLarge, result.Error);
        Assert.Contains("more than 3 readings", result.Detail);
        Assert.True(decoder.Decode("b/hq/d1", "1/1;2/2"u8, readings, Received).IsSuccess);
    }

    [Fact]
    public void A_message_with_several_readings_allocates_nothing_once_warm()
    {
        var decoder = Decoder("b/{building}/{device}", new TextDecoder());
        var readings = new ReadingSet(Vocabulary.Count);
        var payload = "21@1763856120;20@1763856060;40h;22/1;23/2;24>d9"u8.ToArray();
        for (var i = 0; i < 100; i++)
        {
            Assert.True(decoder.Decode("b/hq/d1", payload, readings, Received).IsSuccess);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            decoder.Decode("b/hq/d1", payload, readings, Received);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(6, readings.Count);
    }

    private static List<string> Lines(ReadingSet readings)
    {
        var lines = new List<string>();
        for (var i = 0; i < readings.Count; i++)
        {
            var buffer = new ArrayBufferWriter<byte>();
            if (LineProtocolWriter.WriteReading(buffer, readings[i], Vocabulary))
            {
                lines.Add(Encoding.UTF8.GetString(buffer.WrittenSpan).TrimEnd('\n'));
            }
        }

        return lines;
    }

    /// <summary>A toy format for the mechanism alone: ';'-separated items, see the first test.</summary>
    private sealed class TextDecoder : PayloadDecoder
    {
        private static readonly string[] Probes = ["0", "1", "2", "3", "4"];
        private static readonly string Device9 = "d9";
        private readonly FieldMapping _temperature = Map("temperature", "t");
        private readonly FieldMapping _humidity = Map("humidity", "h");

        private readonly FieldMapping[] _fields;

        public TextDecoder() => _fields = [_temperature, _humidity];

        public override IReadOnlyList<FieldMapping> Fields => _fields;

        public override void Decode(ReadOnlySpan<byte> payload, ReadOnlySpan<char> fieldKey, Reading reading, ref DecodeContext ctx)
        {
            foreach (var range in payload.Split((byte)';'))
            {
                var item = payload[range];
                var at = item.IndexOfAny("@/>h"u8);
                System.Buffers.Text.Utf8Parser.TryParse(item[..(at < 0 ? item.Length : at)], out double value, out _);
                switch (at < 0 ? 0 : item[at])
                {
                    case (byte)'@':
                        System.Buffers.Text.Utf8Parser.TryParse(item[(at + 1)..], out long seconds, out _);
                        var sample = ctx.Readings.For(seconds);
                        sample.SetTimestamp(seconds * 1_000_000_000L);
                        _temperature.ApplyNumber(value, sample, ref ctx);
                        break;
                    case (byte)'/':
                        var probe = Probes[item[at + 1] - '0'];
                        var instance = ctx.Readings.For(-1 - (item[at + 1] - '0'));
                        instance.SetInstance("probe", probe.AsMemory());
                        _temperature.ApplyNumber(value, instance, ref ctx);
                        break;
                    case (byte)'>':
                        _temperature.ApplyNumber(value, ctx.Readings.For(0, Device9.AsMemory()), ref ctx);
                        break;
                    case (byte)'h':
                        _humidity.ApplyNumber(value, reading, ref ctx);
                        break;
                    default:
                        _temperature.ApplyNumber(value, reading, ref ctx);
                        break;
                }
            }
        }
    }
}
