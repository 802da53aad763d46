namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// A payload value that becomes a tag rather than a field (for example a LoRaWAN dev_eui or a bay label). A tag named
/// <c>device</c> sets the reading's device; an instance tag (<see cref="IsInstance"/>) tells field instances apart.
/// </summary>
public sealed class PayloadTag
{
    public PayloadTag(string key, string source, bool isInstance = false)
    {
        Key = string.Intern(key);
        Source = source;
        IsInstance = isInstance;
    }

    public string Key { get; }

    public string Source { get; }

    /// <summary>The reading's device id (<see cref="Model.Reading.SetDevice"/>) rather than a plain tag.</summary>
    public bool IsDevice => Key == MessageDecoder.DeviceTag;

    /// <summary>Tells instances of the same fields apart (<see cref="Model.Reading.SetInstance"/>): each value has its own rule state.</summary>
    public bool IsInstance { get; }

    public TagValueInterner Values { get; } = new();
}
