using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Devices.Simulation;

namespace SmartCity.IoT.Gateway.Places;

/// <summary>
/// The devices the demo's simulator publishes, as the gateway would register them: one round of its messages decoded
/// through the profiles, so their tags are exactly what placement rules will see.
/// </summary>
internal static class SimulatedDevices
{
    public static IReadOnlyList<DeviceState> Of(DeviceCatalog catalog, int devicesPerProfile)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (!catalog.Profiles.Any(DeviceSimulator.CanSimulate))
        {
            return [];
        }

        var simulator = new DeviceSimulator(catalog, new SimulatorOptions { DevicesPerProfile = devicesPerProfile, AnomalyRate = 0, Seed = 1 }, TimeProvider.System);
        var registry = new DeviceRegistry(Math.Max(1, catalog.Vocabulary.Count));
        var readings = catalog.CreateReadingSet();
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000L;
        var seen = new HashSet<string>(StringComparer.Ordinal);

        // Round-robin: a topic seen twice means a whole round went by (a value profile sends one topic per field).
        for (var i = 0; i < 100_000; i++)
        {
            var message = simulator.Next();
            if (!seen.Add(message.Topic))
            {
                break;
            }

            var result = catalog.Decoder.Decode(message.Topic, TopicSyntax.Mqtt, message.Payload, readings, now);
            for (var r = 0; result.IsSuccess && r < readings.Count; r++)
            {
                registry.TryRegister(readings[r], out _);
            }
        }

        return registry.Snapshot();
    }
}
