using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Devices.Simulation;
using SmartCity.IoT.Gateway.Hosting;
using SmartCity.IoT.Mqtt;

namespace SmartCity.IoT.Gateway.Simulation;

/// <summary>The demo's built-in devices: publishes simulated readings for every profile to the broker the gateway reads.</summary>
internal sealed partial class DemoSimulatorService : BackgroundService
{
    private readonly DeviceCatalog _catalog;
    private readonly SimulatorHostOptions _options;
    private readonly MqttOptions _mqtt;
    private readonly ILogger<DemoSimulatorService> _logger;
    private readonly TimeProvider _time;
    private readonly bool _mqttRuns;

    public DemoSimulatorService(DeviceCatalog catalog, IOptions<SimulatorHostOptions> options, IOptions<MqttOptions> mqtt, ILogger<DemoSimulatorService> logger, TimeProvider time, SourceSelection? selection = null)
    {
        _mqttRuns = selection?.Mqtt ?? true;
        _catalog = catalog;
        _options = options.Value;
        _mqtt = mqtt.Value;
        _logger = logger;
        _time = time;
    }

    public bool IsEnabled => _options.Enabled.Trim().ToLowerInvariant() switch
    {
        "true" or "on" or "yes" => true,
        "false" or "off" or "no" => false,
        _ => _mqttRuns && _mqtt.UsesEmbeddedBroker, // the demo: nothing but the embedded broker configured
    };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!IsEnabled)
        {
            return;
        }

        var simulator = new DeviceSimulator(_catalog, new SimulatorOptions
        {
            DevicePattern = _options.Devices,
            DevicesPerProfile = _options.DevicesPerProfile,
            AnomalyRate = _options.AnomalyRate,
        }, _time);
        Log.Started(_logger, _options.Rate, _options.DevicesPerProfile, _options.Devices);
        var settings = new PublishSettings(_mqtt.EffectiveHost, _mqtt.EffectivePort, 1, _options.Rate, 0, null, "smartcity-demo-simulator", 100);
        try
        {
            await SimulationPublisher.RunAsync(simulator, settings, _time, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            Log.Failed(_logger, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Demo simulator publishing {Rate} readings/s from {PerProfile} devices per profile matching '{Pattern}'")]
        public static partial void Started(ILogger logger, double rate, int perProfile, string pattern);

        [LoggerMessage(EventId = 401, Level = LogLevel.Error, Message = "Demo simulator stopped")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
