using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Tests.Decoding;

/// <summary>Random record lists (any subset, any order, random values and layouts) encode and decode back exactly.</summary>
public sealed class RecordListPropertyTests
{
    private const int FieldCount = 8;

    private static readonly FieldVocabulary Wide = new(Enumerable.Range(0, FieldCount).Select(i => new FieldDefinition(i, $"f{i}", "1", FieldType.Float, double.MinValue, double.MaxValue)));

    /// <summary>Record type i: a width of 1..8 bytes, signed or not, either byte order, at an offset inside a record of up to 3 more bytes.</summary>
    private static RecordType TypeOf(int i, int seed, int instance)
    {
        var length = seed % 8 + 1;
        var offset = (seed >> 3) % 3;
        var signed = (seed & 0x40) != 0;
        var bigEndian = (seed & 0x80) != 0;
        var f = Wide[i];
        var mapping = new FieldMapping(f, $"r{i}", "1", 1, 0, f.Min, f.Max, -1, null, false);
        var field = new BinaryField(mapping, offset, length, signed, bigEndian, false, 0, 0, 1, 0);
        var value = instance < 0 ? new RecordValue(-1, field) : new RecordValue(instance, field, new Tag("channel", instance.ToString(System.Globalization.CultureInfo.InvariantCulture).AsMemory()), instance);
        return new RecordType((byte)(0x10 + i), offset + length + (seed >> 5) % 2, $"t{i}", [value]);
    }

    [Property(MaxTest = 1000)]
    public Property Random_record_lists_decode_back_exactly(byte[] typeSeeds, bool channels, bool lengthByte, long[] valueSeeds, int orderSeed)
    {
        var count = Math.Min(FieldCount, typeSeeds.Length);
        var types = Enumerable.Range(0, count).Select(i => TypeOf(i, typeSeeds[i], channels ? i + 1 : -1)).ToArray();
        var layout = new RecordLayout(channels ? RecordMarker.ChannelType : RecordMarker.Type, lengthByte, UnknownRecords.Error, types);

        // Which records the frame carries, their order and their values.
        var present = types.Where((_, i) => valueSeeds.Length > i && (valueSeeds[i] & 1) == 0).ToList();
        var rng = new Random(orderSeed);
        var ordered = present.OrderBy(_ => rng.Next()).ToList();
        var expected = new Dictionary<int, long>();
        var frame = new List<byte>();
        foreach (var t in ordered)
        {
            var field = t.Values[0].Field;
            var (min, max) = field.RawRange;
            var raw = Clamp(valueSeeds[Array.IndexOf(types, t)], min, max);
            if (channels)
            {
                frame.Add((byte)t.Values[0].Channel);
            }

            frame.Add(t.Code);
            if (lengthByte)
            {
                frame.Add((byte)t.Length);
            }

            var data = new byte[t.Length];
            field.WriteRaw(data, raw);
            frame.AddRange(data);
            expected[field.Mapping.FieldId] = raw;
        }

        var profile = new DeviceProfile("acme/rl", "Acme", "RL", "environment");
        profile.AttachDecoding(new ProfileDecoding([TopicTemplate.Parse("rl/{device}")], new RecordPayloadDecoder(layout, BinaryEncoding.Raw), null, 65536));
        var decoder = new MessageDecoder([profile]);
        var readings = new ReadingSet(FieldCount);
        var result = decoder.Decode("rl/d1", frame.ToArray(), readings, 1);

        var actual = new Dictionary<int, double>();
        for (var r = 0; r < readings.Count; r++)
        {
            foreach (var id in readings[r].FieldIds)
            {
                actual[id] = readings[r].GetOrNaN(id);
            }
        }

        var same = expected.Count == actual.Count && expected.All(e => actual.TryGetValue(e.Key, out var v) && v == (double)e.Value);
        return (present.Count == 0 ? result.Error == DecodeError.NoValidFields : result.IsSuccess && same)
            .Label($"frame {Convert.ToHexString(frame.ToArray())}: {result}; expected {string.Join(",", expected)}, got {string.Join(",", actual)}");
    }

    [Property(MaxTest = 500)]
    public Property Cutting_a_record_list_anywhere_inside_a_record_is_refused_with_the_offset(byte[] typeSeeds, long[] valueSeeds, PositiveInt cutSeed)
    {
        var count = Math.Min(FieldCount, Math.Max(1, typeSeeds.Length));
        var types = Enumerable.Range(0, count).Select(i => TypeOf(i, i < typeSeeds.Length ? typeSeeds[i] : 0, -1)).ToArray();
        var layout = new RecordLayout(RecordMarker.Type, false, UnknownRecords.Error, types);
        var frame = new List<byte>();
        var starts = new List<int>();
        foreach (var t in types)
        {
            starts.Add(frame.Count);
            frame.Add(t.Code);
            var data = new byte[t.Length];
            t.Values[0].Field.WriteRaw(data, valueSeeds.Length > 0 ? Clamp(valueSeeds[0], t.Values[0].Field.RawRange.Min, t.Values[0].Field.RawRange.Max) : 0);
            frame.AddRange(data);
        }

        // Cut at any byte that is not a record boundary.
        var cut = cutSeed.Get % frame.Count;
        if (starts.Contains(cut))
        {
            return true.ToProperty();
        }

        var recordStart = starts.Last(s => s < cut);
        var profile = new DeviceProfile("acme/rl", "Acme", "RL", "environment");
        profile.AttachDecoding(new ProfileDecoding([TopicTemplate.Parse("rl/{device}")], new RecordPayloadDecoder(layout, BinaryEncoding.Raw), null, 65536));
        var result = new MessageDecoder([profile]).Decode("rl/d1", frame.Take(cut).ToArray(), new Reading(FieldCount), 1);
        return (result.Error == DecodeError.MalformedPayload && result.Detail!.Contains($"at byte {recordStart}:", StringComparison.Ordinal))
            .Label($"cut at {cut} of {Convert.ToHexString(frame.ToArray())}: {result}");
    }

    /// <summary>A seed folded into [min, max] (uniformly, so small widths see every value, not only their limits).</summary>
    private static long Clamp(long v, long min, long max) =>
        min == long.MinValue && max == long.MaxValue ? v : min + (long)((ulong)v % ((ulong)(max - min) + 1));
}
