using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Loading;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Devices.Loading;

/// <summary>What every part of a profile's compilation reads: the file (for values and errors) and the vocabulary.</summary>
internal sealed class ProfileContext(YamlSource file, IReadOnlyDictionary<string, VocabularyEntry> entries)
{
    public YamlSource File { get; } = file;

    public IReadOnlyDictionary<string, VocabularyEntry> Entries { get; } = entries;

    /// <summary>What loads but is risky (printed by <c>devices validate</c>, never failing it).</summary>
    public List<Diagnostic> Warnings { get; } = [];

    public void Warn(YamlNode node, string message) =>
        Warnings.Add(new Diagnostic(File.File, (int)Math.Max(1, node.Start.Line), (int)Math.Max(1, node.Start.Column), message));

    /// <summary>The folder of the profile file (files a profile names, such as a codec, are relative to it).</summary>
    public string Directory { get; init; } = ".";

    public JsonPath? ParsePath(string text, YamlNode node)
    {
        if (JsonPath.TryParse(text, out var path, out var error))
        {
            return path;
        }

        File.Error(node, error);
        return null;
    }

    public bool TryEncoding(string text, YamlNode node, out BinaryEncoding encoding)
    {
        encoding = text switch { "raw" => BinaryEncoding.Raw, "hex" => BinaryEncoding.Hex, "base64" => BinaryEncoding.Base64, _ => (BinaryEncoding)(-1) };
        if ((int)encoding < 0)
        {
            File.Error(node, $"encoding '{text}' must be raw, hex or base64");
            return false;
        }

        return true;
    }

    /// <summary>Reports each of <paramref name="keys"/> present in <paramref name="map"/> with <paramref name="message"/>(key); true when none was.</summary>
    public bool RejectKeys(YamlMappingNode map, IEnumerable<string> keys, Func<string, string> message)
    {
        var none = true;
        foreach (var key in keys)
        {
            if (YamlSource.Get(map, key) is not null)
            {
                File.Error(YamlSource.KeyNode(map, key), message(key));
                none = false;
            }
        }

        return none;
    }

    /// <summary>Payload timestamps and payload tags are JSON paths; other formats take the receive time and topic tags.</summary>
    public void RejectTimestampAndTags(YamlMappingNode root, string what)
    {
        foreach (var key in (string[])["timestamp", "tags"])
        {
            if (YamlSource.Get(root, key) is not null)
            {
                File.Error(YamlSource.KeyNode(root, key), $"'{key}' needs a JSON payload; {what} uses the receive time and topic tags");
            }
        }
    }
}
