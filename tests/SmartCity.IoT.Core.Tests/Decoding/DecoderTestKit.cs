using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Tests.Decoding;

/// <summary>Builds profiles in code (no YAML) for decoder tests.</summary>
internal static class DecoderTestKit
{
    public static readonly FieldVocabulary Vocabulary = new([
        new FieldDefinition(0, "temperature", "degC", FieldType.Float, -40, 125),
        new FieldDefinition(1, "co2", "ppm", FieldType.Float, 0, 40000),
        new FieldDefinition(2, "people_count", "1", FieldType.Integer, 0, 10000),
        new FieldDefinition(3, "occupancy", "", FieldType.Boolean, 0, 1),
        new FieldDefinition(4, "bay_state", "", FieldType.Enum, 0, 3, ["vacant", "occupied", "reserved", "fault"]),
        new FieldDefinition(5, "ammonia", "ppm", FieldType.Float, 0, 500),
        new FieldDefinition(6, "humidity", "%RH", FieldType.Float, 0, 100),
        new FieldDefinition(7, "pm2_5", "ug/m3", FieldType.Float, 0, 1000),
    ]);

    public static FieldMapping Map(string name, string source, double factor = 1, double offset = 0, int decimals = -1, ValueMapEntry[]? map = null, bool required = false, double? min = null, double? max = null)
    {
        Vocabulary.TryGet(name, out var f);
        return new FieldMapping(f, source, f.Unit, factor, offset, min ?? f.Min, max ?? f.Max, decimals, map, required);
    }

    public static FieldMapping JsonField(JsonPayloadDecoder decoder, string name, string path, double factor = 1, double offset = 0, int decimals = -1, ValueMapEntry[]? map = null, bool required = false)
    {
        var m = Map(name, path, factor, offset, decimals, map, required);
        decoder.AddField(JsonPath.Parse(path), m);
        return m;
    }

    public static MessageDecoder Decoder(string template, PayloadDecoder payload, AvailabilityTopic? availability = null, int maxPayload = 65536, string family = "environment", string id = "acme/x")
    {
        var profile = new DeviceProfile(id, "Acme", "X", family);
        profile.AttachDecoding(new ProfileDecoding([TopicTemplate.Parse(template)], payload, availability, maxPayload));
        return new MessageDecoder([profile]);
    }

    public static Reading NewReading() => new(Vocabulary.Count);
}
