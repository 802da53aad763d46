namespace SmartCity.IoT.Devices.Loading;

/// <summary>
/// The Cayenne LPP types: records of a channel byte, a type byte and a size implied by the type, big endian, two's complement
/// when signed. <c>layout: cayenne-lpp</c> knows the original LPPv1 types (the ones The Things Stack and ChirpStack decode);
/// <c>layout: cayenne-lpp-extended</c> adds the widely used extended types, whose sizes some older libraries disagree on,
/// hence opt-in.
/// </summary>
internal static class CayenneLpp
{
    public const string Layout = "cayenne-lpp";
    public const string ExtendedLayout = "cayenne-lpp-extended";

    public static readonly IReadOnlyList<CayenneLppType> Types =
    [
        One(0x00, "digital_input", 1, false, 1, "1"),
        One(0x01, "digital_output", 1, false, 1, "1"),
        One(0x02, "analog_input", 2, true, 0.01, null),
        One(0x03, "analog_output", 2, true, 0.01, null),
        One(0x65, "illuminance", 2, false, 1, "lx"),
        One(0x66, "presence", 1, false, 1, "1"),
        One(0x67, "temperature", 2, true, 0.1, "degC"),
        One(0x68, "humidity", 1, false, 0.5, "%RH"),
        Xyz(0x71, "accelerometer", 0.001, "g"),
        One(0x73, "barometer", 2, false, 0.1, "hPa"),
        Xyz(0x86, "gyrometer", 0.01, "deg/s"),
        new(0x88, "gps", 9, [new("latitude", 0, 3, true, 0.0001, "deg"), new("longitude", 3, 3, true, 0.0001, "deg"), new("altitude", 6, 3, true, 0.01, "m")], false),
        One(0x64, "generic", 4, false, 1, "1", extended: true),
        One(0x74, "voltage", 2, false, 0.01, "V", extended: true),
        One(0x75, "current", 2, false, 0.001, "A", extended: true),
        One(0x76, "frequency", 4, false, 1, "Hz", extended: true),
        One(0x78, "percentage", 1, false, 1, "%", extended: true),
        One(0x79, "altitude", 2, true, 1, "m", extended: true),
        One(0x80, "power", 2, false, 1, "W", extended: true),
        One(0x82, "distance", 4, false, 0.001, "m", extended: true),
        One(0x83, "energy", 4, false, 0.001, "kWh", extended: true),
        One(0x84, "direction", 2, false, 1, "deg", extended: true),
        One(0x85, "unix_time", 4, false, 1, "s", extended: true),
        One(0x8E, "switch", 1, false, 1, "1", extended: true),
        One(0x8F, "concentration", 2, false, 1, "ppm", extended: true),
        new(0x90, "colour", 3, [new("r", 0, 1, false, 1, "1"), new("g", 1, 1, false, 1, "1"), new("b", 2, 1, false, 1, "1")], true),
    ];

    public static bool IsLayout(string name) => name is Layout or ExtendedLayout;

    /// <summary>The types of <paramref name="layout"/>.</summary>
    public static IEnumerable<CayenneLppType> TypesOf(string layout) => Types.Where(t => !t.Extended || layout == ExtendedLayout);

    /// <summary>A type by name (<c>temperature</c>) or type byte (<c>0x67</c>, <c>103</c>) within <paramref name="layout"/>.</summary>
    public static CayenneLppType? Find(string layout, string text)
    {
        foreach (var t in TypesOf(layout))
        {
            if (string.Equals(t.Name, text, StringComparison.OrdinalIgnoreCase))
            {
                return t;
            }
        }

        return Core.Loading.YamlSource.TryNumber(text, out var code) && code is >= 0 and <= 255 && code == Math.Floor(code)
            ? TypesOf(layout).FirstOrDefault(t => t.Code == (byte)code)
            : null;
    }

    private static CayenneLppType One(byte code, string name, int length, bool signed, double scale, string? unit, bool extended = false) =>
        new(code, name, length, [new("", 0, length, signed, scale, unit)], extended);

    private static CayenneLppType Xyz(byte code, string name, double scale, string unit) =>
        new(code, name, 6, [new("x", 0, 2, true, scale, unit), new("y", 2, 2, true, scale, unit), new("z", 4, 2, true, scale, unit)], false);
}
