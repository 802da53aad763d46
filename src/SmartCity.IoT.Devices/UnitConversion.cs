namespace SmartCity.IoT.Devices;

/// <summary>canonical = value * Factor + Offset.</summary>
internal readonly record struct UnitConversion(double Factor, double Offset)
{
    public static UnitConversion Identity { get; } = new(1, 0);
}
