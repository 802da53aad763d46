using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Loading;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Devices.Loading;

/// <summary>A field's position in a binary layout (offset, length, bits, sign, byte order, float, scale): binary payloads and frames inside JSON.</summary>
internal static class BinaryFieldBuilder
{
    /// <param name="sourcePrefix">Put before the byte positions in messages (a record's name); <paramref name="inRecord"/>: offsets count from the record's data and default to 0.</param>
    public static BinaryField? Build(YamlSource file, YamlMappingNode fmap, FieldMapping mapping, string name, string sourcePrefix = "", bool inRecord = false)
    {
        var what = $"field '{name}'";
        var offset = inRecord && YamlSource.Get(fmap, "offset") is null ? 0 : file.Num(fmap, "offset", what, required: true);
        var length = file.Num(fmap, "length", what) ?? 1;
        var signed = file.Bool(fmap, "signed", what) ?? false;
        var endian = file.Str(fmap, "endian", what) ?? "big";
        var isFloat = file.Bool(fmap, "float", what) ?? false;
        var scale = file.Num(fmap, "scale", what) ?? 1;
        var add = file.Num(fmap, "add", what) ?? 0;
        int bitOffset = 0, bitCount = 0;
        if (YamlSource.Get(fmap, "bits") is { } bitsNode)
        {
            if (bitsNode is YamlSequenceNode { Children.Count: 2 } bs && file.Num(bs[0], $"{what}: bits") is { } b0 && file.Num(bs[1], $"{what}: bits") is { } b1)
            {
                (bitOffset, bitCount) = ((int)b0, (int)b1);
            }
            else
            {
                file.Error(bitsNode, $"{what}: bits must be [first bit, bit count], counted from the least significant bit");
                return null;
            }
        }

        if (endian is not ("big" or "little"))
        {
            file.Error(YamlSource.Get(fmap, "endian"), $"{what}: endian '{endian}' must be big or little");
            return null;
        }

        if (offset is null || offset < 0 || offset != Math.Floor(offset.Value) || length is < 1 or > 8 || length != Math.Floor(length))
        {
            file.Error(fmap, $"{what}: offset must be a whole number >= 0 and length 1..8 bytes");
            return null;
        }

        if (isFloat && length is not (4 or 8))
        {
            file.Error(YamlSource.Get(fmap, "length") ?? fmap, $"{what}: a float is 4 or 8 bytes long");
            return null;
        }

        if (bitCount < 0 || bitOffset < 0 || bitOffset + bitCount > length * 8 || (bitCount > 0 && isFloat))
        {
            file.Error(YamlSource.Get(fmap, "bits") ?? fmap, $"{what}: bits [{bitOffset}, +{bitCount}] do not fit in {length} byte(s) (bits count from the least significant bit)");
            return null;
        }

        if (scale == 0)
        {
            file.Error(YamlSource.Get(fmap, "scale")!, $"{what}: scale must not be 0");
            return null;
        }

        var withSource = new FieldMapping(mapping.Field, "", mapping.Unit, mapping.Factor, mapping.Offset, mapping.Min, mapping.Max, mapping.Decimals, mapping.Map, mapping.Required);
        var probe = new BinaryField(withSource, (int)offset.Value, (int)length, signed, endian == "big", isFloat, bitOffset, bitCount, scale, add);
        var described = new FieldMapping(mapping.Field, sourcePrefix + probe.Describe(), mapping.Unit, mapping.Factor, mapping.Offset, mapping.Min, mapping.Max, mapping.Decimals, mapping.Map, mapping.Required);
        return new BinaryField(described, probe.Offset, probe.Length, signed, probe.BigEndian, isFloat, bitOffset, bitCount, scale, add);
    }
}
