using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Core.Model;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Devices.Loading;

/// <summary>The part of a field every payload format shares: unit conversion to the vocabulary's unit, range, value map, required.</summary>
internal static class FieldMappingBuilder
{
    public static FieldMapping? Build(ProfileContext context, YamlMappingNode fmap, VocabularyEntry entry, string name, string source, bool isBinary, string? defaultUnit = null)
    {
        var file = context.File;
        var field = entry.Field;
        var what = $"field '{name}'";
        var unit = file.Str(fmap, "unit", what) ?? defaultUnit ?? field.Unit;
        var conversion = UnitConversion.Identity;
        if (field.Type is FieldType.Float or FieldType.Integer)
        {
            if (!entry.Units.TryGetValue(unit, out conversion))
            {
                var known = string.Join(", ", entry.Units.Keys);
                var sent = YamlSource.Get(fmap, "unit") is null && defaultUnit is not null ? " (the unit its payload format sends; set 'unit' if the device sends another)" : "";
                file.Error(YamlSource.Get(fmap, "unit") ?? fmap, $"{what}: unit '{unit}'{sent} has no conversion to {field.Unit} in devices/vocabulary.yaml (known: {known}); use one of those or add a conversion there");
                return null;
            }
        }
        else if (YamlSource.Get(fmap, "unit") is { } un && unit.Length > 0 && unit != field.Unit)
        {
            file.Error(un, $"{what} is {field.Type.ToString().ToLowerInvariant()}; remove its unit");
        }

        var min = field.Min;
        var max = field.Max;
        if (YamlSource.Get(fmap, "range") is { } rangeNode)
        {
            if (rangeNode is YamlSequenceNode { Children.Count: 2 } rs && file.Num(rs[0], $"{what}: range") is { } lo && file.Num(rs[1], $"{what}: range") is { } hi)
            {
                if (lo > hi)
                {
                    file.Error(rangeNode, $"{what}: range min {lo} is above max {hi} (write [min, max])");
                    return null;
                }

                if (lo < field.Min || hi > field.Max)
                {
                    file.Error(rangeNode, $"{what}: range [{lo}, {hi}] {field.Unit} goes beyond the vocabulary's [{field.Min}, {field.Max}]; narrow it (the range is in the canonical unit {field.Unit})");
                    return null;
                }

                (min, max) = (lo, hi);
            }
            else if (rangeNode is not YamlSequenceNode { Children.Count: 2 })
            {
                file.Error(rangeNode, $"{what}: range must be [min, max] in {field.Unit}");
                return null;
            }
        }

        var map = new List<ValueMapEntry>();
        if (YamlSource.Get(fmap, "map") is { } mapNode && file.AsMap(mapNode, $"{what}: map") is { } mm)
        {
            if (field.Type is not (FieldType.Enum or FieldType.Boolean))
            {
                file.Error(mapNode, $"{what}: 'map' is for enum and boolean fields");
            }

            foreach (var (k, v) in mm.Children)
            {
                var key = YamlSource.KeyName(k);
                var target = (v as YamlScalarNode)?.Value ?? "";
                double value;
                if (field.Type == FieldType.Enum)
                {
                    var index = field.EnumValues.ToList().IndexOf(target);
                    if (index < 0)
                    {
                        file.Error(v, $"{what}: map value '{target}' is not one of {string.Join(", ", field.EnumValues)}");
                        continue;
                    }

                    value = index;
                }
                else if (bool.TryParse(target, out var b))
                {
                    value = b ? 1 : 0;
                }
                else
                {
                    file.Error(v, $"{what}: map value '{target}' must be true or false");
                    continue;
                }

                map.Add(new ValueMapEntry(key, value));
            }
        }

        var required = file.Bool(fmap, "required", what) ?? false;
        var units = entry.Units.Select(u => new PayloadUnit(u.Key, u.Value.Factor, u.Value.Offset)).ToArray();
        if (isBinary)
        {
            // A binary field applies its scale and add itself (BinaryField), before this mapping.
            return new FieldMapping(field, "binary", unit, conversion.Factor, conversion.Offset, min, max, entry.Decimals, map, required, units: units);
        }

        // value = raw * scale + add, then the unit conversion: folded into one factor and offset.
        var scale = file.Num(fmap, "scale", what) ?? 1;
        var add = file.Num(fmap, "add", what) ?? 0;
        if (scale == 0)
        {
            file.Error(YamlSource.Get(fmap, "scale")!, $"{what}: scale must not be 0");
            return null;
        }

        if ((scale != 1 || add != 0) && field.Type is not (FieldType.Float or FieldType.Integer))
        {
            file.Error(YamlSource.KeyNode(fmap, YamlSource.Get(fmap, "scale") is not null ? "scale" : "add"), $"{what} is {field.Type.ToString().ToLowerInvariant()}; 'scale' and 'add' are for numbers");
            return null;
        }

        return new FieldMapping(field, source, unit, scale * conversion.Factor, add * conversion.Factor + conversion.Offset, min, max, entry.Decimals, map, required, scale, add, units);
    }
}
