using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Loading;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Devices.Loading;

/// <summary>
/// What a fixed binary layout asserts about a frame before reading it: <c>frame_length</c> (the exact length) and
/// <c>markers</c> (bytes it must carry), on <c>payload</c> (format binary) or <c>payload.frame</c> (a frame inside JSON).
/// </summary>
internal static class BinaryAssertions
{
    private static readonly string[] Keys = ["frame_length", "markers"];

    /// <summary>Reports <c>frame_length</c> / <c>markers</c> on a payload that has no fixed layout of its own.</summary>
    public static void RejectUnless(ProfileContext context, YamlMappingNode payload, bool allowed)
    {
        if (!allowed)
        {
            context.RejectKeys(payload, Keys, key => $"'{key}' belongs to a fixed binary layout: put it under 'payload' with 'format: binary', or under 'payload.frame'");
        }
    }

    /// <summary>The layout of <paramref name="fields"/> with the assertions written in <paramref name="node"/>; warns when it has none.</summary>
    public static BinaryLayout? Layout(ProfileContext context, YamlMappingNode node, IReadOnlyList<BinaryField> fields, string where)
    {
        var file = context.File;
        var frameLength = 0;
        if (file.Num(node, "frame_length", where) is { } fl)
        {
            if (fl < 1 || fl != Math.Floor(fl) || fl > MessageDecoder.DefaultMaxPayloadBytes)
            {
                file.Error(YamlSource.Get(node, "frame_length"), $"{where}: frame_length must be a whole number of bytes >= 1");
                return null;
            }

            frameLength = (int)fl;
        }

        var markers = new List<BinaryMarker>();
        if (YamlSource.Get(node, "markers") is { } mn && file.AsSeq(mn, $"'markers' in {where}") is { } seq)
        {
            foreach (var item in seq)
            {
                if (Marker(file, item, where) is { } marker)
                {
                    markers.Add(marker);
                }
            }
        }

        var end = Math.Max(fields.Count == 0 ? 0 : fields.Max(f => f.End), markers.Count == 0 ? 0 : markers.Max(m => m.End));
        if (frameLength > 0 && frameLength < end)
        {
            file.Error(YamlSource.Get(node, "frame_length"), $"{where}: frame_length {frameLength} is shorter than the layout, whose last field or marker ends at byte {end - 1}");
            return null;
        }

        if (frameLength == 0 && markers.Count == 0)
        {
            context.Warn(node, $"{where}: the fixed binary layout asserts neither 'frame_length' nor 'markers', so a frame of another shape (other firmware, another frame type) decodes to plausible wrong values; add 'frame_length: {end}' and, when the frame has a type or version byte, 'markers: [{{ offset: 0, hex: \"..\" }}]'");
        }

        return new BinaryLayout(fields, frameLength, markers);
    }

    private static BinaryMarker? Marker(YamlSource file, YamlNode item, string where)
    {
        if (file.AsMap(item, $"a marker in {where}") is not { } m)
        {
            return null;
        }

        file.CheckKeys(m, "a marker", ProfileLoader.MarkerKeys);
        var offset = file.Num(m, "offset", "a marker", required: true);
        var hex = file.Str(m, "hex", "a marker", required: true);
        if (offset is null || hex is null)
        {
            return null;
        }

        if (offset < 0 || offset != Math.Floor(offset.Value))
        {
            file.Error(YamlSource.Get(m, "offset"), "a marker's offset must be a whole number >= 0");
            return null;
        }

        var bytes = new byte[hex.Length];
        if (!HexText.TryDecode(System.Text.Encoding.ASCII.GetBytes(hex), bytes, out var n) || n == 0)
        {
            file.Error(YamlSource.Get(m, "hex"), $"a marker's hex '{hex}' must be hex bytes such as \"01\" or \"ca fe\"");
            return null;
        }

        return new BinaryMarker((int)offset.Value, bytes[..n]);
    }
}
