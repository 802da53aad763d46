using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Loading;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Devices.Loading;

/// <summary>A profile's <c>payload:</c> (format, encoding, and a binary frame inside JSON).</summary>
/// <param name="DeviceFromBaseName">senml: <c>device: base_name</c>, the pack's base name is the device id.</param>
internal sealed record PayloadSection(string Format, BinaryEncoding Encoding, JsonPath? FramePath, BinaryEncoding FrameEncoding, bool DeviceFromBaseName = false)
{
    public static PayloadSection? Read(ProfileContext context, YamlMappingNode root)
    {
        var file = context.File;
        var payloadNode = YamlSource.Get(root, "payload");
        if (payloadNode is null)
        {
            file.Error(root, "the profile has no 'payload' (add 'payload: { format: json }', binary or value)");
            return null;
        }

        if (file.AsMap(payloadNode, "'payload'") is not { } pm)
        {
            return null;
        }

        file.CheckKeys(pm, "'payload'", ProfileLoader.PayloadKeys);
        var format = file.Str(pm, "format", "'payload'", required: true) ?? "json";
        if (format is not ("json" or "binary" or "value" or "senml" or "records" or "sparkplug" or "codec"))
        {
            file.Error(YamlSource.Get(pm, "format"), $"payload format '{format}' must be json, senml, binary, records, value, sparkplug or codec");
            return null;
        }

        BinaryAssertions.RejectUnless(context, pm, format == "binary");
        RecordPayloadBuilder.RejectKeysUnless(context, pm, format == "records");

        var deviceFromBaseName = false;
        if (file.Str(pm, "device", "'payload'") is { } device)
        {
            if (format != "senml")
            {
                file.Error(YamlSource.Get(pm, "device"), "'device' (where the device id comes from) is for 'format: senml'; a JSON payload names it with a tag called device");
            }
            else if (device is not ("topic" or "base_name"))
            {
                file.Error(YamlSource.Get(pm, "device"), $"device '{device}' must be topic (the topic's device level) or base_name (the pack's bn)");
            }

            deviceFromBaseName = device == "base_name";
        }

        foreach (var key in (string[])["codec", "fport", "ignore"])
        {
            if (format != "codec" && YamlSource.Get(pm, key) is not null)
            {
                file.Error(YamlSource.KeyNode(pm, key), $"'{key}' is for 'format: codec' (a JavaScript decoder)");
            }
        }

        var encoding = BinaryEncoding.Raw;
        if (file.Str(pm, "encoding", "'payload'") is { } enc && !context.TryEncoding(enc, YamlSource.Get(pm, "encoding")!, out encoding))
        {
            return null;
        }

        JsonPath? framePath = null;
        var frameEncoding = BinaryEncoding.Base64;
        if (YamlSource.Get(pm, "frame") is { } frameNode && file.AsMap(frameNode, "'payload.frame'") is { } fm)
        {
            file.CheckKeys(fm, "'payload.frame'", ProfileLoader.FrameKeys);
            if (format != "json")
            {
                file.Error(frameNode, "'frame' (a binary frame inside a JSON string) needs 'format: json'");
            }

            if (file.Str(fm, "path", "'payload.frame'", required: true) is { } fp)
            {
                framePath = context.ParsePath(fp, YamlSource.Get(fm, "path")!);
            }

            if (file.Str(fm, "encoding", "'payload.frame'") is { } fe && !context.TryEncoding(fe, YamlSource.Get(fm, "encoding")!, out frameEncoding))
            {
                return null;
            }

            if (frameEncoding == BinaryEncoding.Raw)
            {
                file.Error(frameNode, "a frame inside JSON must be 'encoding: base64' or 'hex'");
            }
        }

        return new PayloadSection(format, encoding, framePath, frameEncoding, deviceFromBaseName);
    }
}
