using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Devices;

/// <summary>A vocabulary field plus what profiles and the simulator need: accepted units, rounding, typical and anomalous values.</summary>
internal sealed class VocabularyEntry
{
    public VocabularyEntry(FieldDefinition field, int decimals, IReadOnlyDictionary<string, UnitConversion> units, (double Min, double Max) typical, (double Min, double Max)? anomaly, int line)
    {
        Field = field;
        Decimals = decimals;
        Units = units;
        Typical = typical;
        Anomaly = anomaly;
        Line = line;
    }

    public FieldDefinition Field { get; }

    /// <summary>Decimals canonical values are rounded to, or -1.</summary>
    public int Decimals { get; }

    /// <summary>Every unit name a profile may write (the canonical unit, its aliases, convertible units and their aliases).</summary>
    public IReadOnlyDictionary<string, UnitConversion> Units { get; }

    /// <summary>Normal operating values (simulator's daily cycle).</summary>
    public (double Min, double Max) Typical { get; }

    /// <summary>Values that trip the usual alert thresholds (simulator's anomalies); for enums/booleans Min is the value.</summary>
    public (double Min, double Max)? Anomaly { get; }

    public int Line { get; }
}
