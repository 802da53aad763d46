namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// One entry of a field's <c>map</c>: a payload value (text, or a number when it parses as one) and the canonical value
/// it stands for (enum index, 0/1 for booleans, or a number).
/// </summary>
public sealed class ValueMapEntry
{
    public ValueMapEntry(string key, double value)
    {
        Key = key;
        KeyUtf8 = System.Text.Encoding.UTF8.GetBytes(key);
        NumericKey = double.TryParse(key, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
        Value = value;
    }

    public string Key { get; }

    public byte[] KeyUtf8 { get; }

    public double? NumericKey { get; }

    public double Value { get; }
}
