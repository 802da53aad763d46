using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Rules.Tests.Support;

/// <summary>
/// A fixed vocabulary for engine tests: the canonical names of devices/vocabulary.yaml plus a test-only boolean
/// (<c>door_open</c>). The shipped rules are checked against the real file by <see cref="RepoVocabulary"/>.
/// </summary>
internal static class TestVocabulary
{
    public static readonly string[] BayStates = ["vacant", "occupied", "reserved", "fault"];
    public static readonly string[] AgvStates = ["idle", "moving", "lifting", "charging", "fault"];

    public static FieldVocabulary Create()
    {
        var id = 0;
        FieldDefinition F(string name, string unit, double min, double max, FieldType type = FieldType.Float, string[]? values = null, bool counter = false) => new(id++, name, unit, type, min, max, values, isCounter: counter);
        return new FieldVocabulary(
        [
            F("temperature", "degC", -40, 125),
            F("humidity", "%RH", 0, 100),
            F("co2", "ppm", 0, 40000),
            F("pm2_5", "ug/m3", 0, 1000),
            F("pm10", "ug/m3", 0, 1000),
            F("tvoc", "ppb", 0, 60000),
            F("noise", "dBA", 0, 140),
            F("ammonia", "ppm", 0, 100),
            F("h2s", "ppm", 0, 100),
            F("crack_width", "um", 0, 50000),
            F("tilt_x", "deg", -90, 90),
            F("tilt_y", "deg", -90, 90),
            F("vibration", "mm/s", 0, 500),
            F("people_count", "1", 0, 10000, FieldType.Integer),
            F("bay_state", "", 0, 3, FieldType.Enum, BayStates),
            F("door_open", "", 0, 1, FieldType.Boolean),
            F("dew_point", "degC", -60, 60),
            F("ph", "pH", 0, 14),
            F("turbidity", "NTU", 0, 4000),
            F("biotoxicity", "%", 0, 100),
            F("chlorine", "mg/L", 0, 20),
            F("battery", "%", 0, 100),
            F("agv_state", "", 0, 4, FieldType.Enum, AgvStates),
            F("occupancy", "", 0, 1, FieldType.Boolean),
            F("pressure", "hPa", 300, 1100),
            F("hcho", "mg/m3", 0, 10),
            F("wind_speed", "m/s", 0, 100),
            F("filter_pressure_drop", "Pa", 0, 5000),
            F("power", "", 0, 1, FieldType.Boolean),
            F("supply_temperature", "degC", -40, 125),
            F("return_temperature", "degC", -40, 125),
            F("setpoint", "degC", 0, 40),
            F("energy_kwh", "kWh", 0, 1e9, counter: true),
        ]);
    }
}
