using System.Text;

namespace SmartCity.IoT.Core.Model;

/// <summary>One canonical field of the shared vocabulary: its name, unit, type and physically valid range.</summary>
public sealed class FieldDefinition
{
    public FieldDefinition(int id, string name, string unit, FieldType type, double min, double max, IReadOnlyList<string>? enumValues = null, string? description = null, bool isCounter = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Id = id;
        Name = name;
        Unit = unit;
        Type = type;
        Min = min;
        Max = max;
        EnumValues = enumValues ?? [];
        Description = description ?? "";
        IsCounter = isCounter;
        // Precomputed so the hot path never transcodes names.
        NameUtf8 = Encoding.UTF8.GetBytes(name);
        EnumValuesUtf8 = EnumValues.Select(v => Encoding.UTF8.GetBytes(v)).ToArray();
    }

    /// <summary>Dense index assigned by the vocabulary; used to address values in a <see cref="Reading"/>.</summary>
    public int Id { get; }
    public string Name { get; }
    public byte[] NameUtf8 { get; }
    public string Unit { get; }
    public FieldType Type { get; }
    public double Min { get; }
    public double Max { get; }
    public IReadOnlyList<string> EnumValues { get; }
    public byte[][] EnumValuesUtf8 { get; }
    public string Description { get; }

    /// <summary>
    /// A cumulative counter (energy in kWh): it only grows, except when the device resets or its register wraps, so rules
    /// read it with <c>increase()</c> and a reset-aware <c>rate()</c> rather than as a gauge.
    /// </summary>
    public bool IsCounter { get; }

    /// <summary>
    /// <paramref name="value"/> in this field's own terms: an enum's value name, <c>true</c>/<c>false</c> for a boolean;
    /// null for a numeric field or a value that is unknown (NaN) or not one of the enum's.
    /// </summary>
    public string? TextOf(double value) => Type switch
    {
        FieldType.Boolean when double.IsFinite(value) => value != 0 ? "true" : "false",
        FieldType.Enum when double.IsFinite(value) && value >= 0 && value < EnumValues.Count => EnumValues[(int)value],
        _ => null,
    };

    public override string ToString() => $"{Name} [{Unit}]";
}
