namespace SmartCity.IoT.Testing;

/// <summary>
/// The real servers test.sh starts (on loopback) and the binaries tests may start themselves.
/// A test that needs one and finds it missing fails with this message rather than passing silently;
/// test.sh always provides them.
/// </summary>
internal static class TestEnvironment
{
    /// <summary>Mosquitto started by test.sh (listener 127.0.0.1:18830 by default).</summary>
    public static int MosquittoPort => int.Parse(Get("SMARTCITY_TEST_MQTT_PORT", "18830"), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>InfluxDB 1.6.7 started by test.sh (database names are created by each test).</summary>
    public static string InfluxUrl => Get("SMARTCITY_TEST_INFLUX_URL", "http://127.0.0.1:18086");

    /// <summary>VictoriaMetrics started by test.sh.</summary>
    public static string VictoriaMetricsUrl => Get("SMARTCITY_TEST_VM_URL", "http://127.0.0.1:18428");

    /// <summary>Binaries for tests that start, stop or kill their own server instance.</summary>
    public static string Influxd => Which("influxd");

    public static string Mosquitto => Which("mosquitto");

    public static string VictoriaMetrics => Which("victoria-metrics");

    private static string Get(string name, string fallback) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;

    private static string Which(string name)
    {
        foreach (var dir in new[] { "/usr/bin", "/usr/sbin", "/usr/local/bin" })
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException($"'{name}' is not installed: run ./test.sh, which installs it with apt-get.");
    }
}
