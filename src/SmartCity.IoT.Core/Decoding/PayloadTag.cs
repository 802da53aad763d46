namespace SmartCity.IoT.Core.Decoding;

/// <summary>A payload value that becomes a tag rather than a field (for example a LoRaWAN dev_eui or a bay label).</summary>
public sealed class PayloadTag
{
    public PayloadTag(string key, string source)
    {
        Key = string.Intern(key);
        Source = source;
    }

    public string Key { get; }

    public string Source { get; }

    public TagValueInterner Values { get; } = new();
}
