using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.DeadLetters;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Gateway.Hosting;
using SmartCity.IoT.Gateway.Pipeline;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Loading;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Gateway.Tests.Support;

/// <summary>
/// The pipeline's stages as the host wires them, without MQTTnet, InfluxDB or a web host: the repository's profiles and
/// rules, test sinks, a recording alert outbox, fake time, and its writer loop running.
/// </summary>
internal sealed class PipelineHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly TempDir _dir = new("smartcity-pipeline");
    private readonly Task _writer;

    public PipelineHarness(Action<PipelineOptions>? pipeline = null, params RecordingSink[] sinks)
        : this(Catalog.Value, pipeline, sinks)
    {
    }

    /// <summary>With other profiles than the repository's (a changed copy of devices/, say).</summary>
    public PipelineHarness(DeviceCatalog catalog, Action<PipelineOptions>? pipeline = null)
        : this(catalog, pipeline, [])
    {
    }

    /// <summary>With a building model placing the devices (place tags on readings).</summary>
    public PipelineHarness(Core.Places.IBuildingModelSource places, Action<PipelineOptions>? pipeline = null)
        : this(Catalog.Value, pipeline, [], places)
    {
    }

    private PipelineHarness(DeviceCatalog catalog, Action<PipelineOptions>? pipeline, RecordingSink[] sinks, Core.Places.IBuildingModelSource? places = null)
    {
        Sinks = sinks.Length == 0 ? [new RecordingSink()] : sinks;
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Information).AddFakeLogging());
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton(catalog);
        var options = new PipelineOptions { BatchSize = 4, FlushInterval = TimeSpan.FromSeconds(1), IdleFlush = TimeSpan.FromMilliseconds(50) };
        pipeline?.Invoke(options);
        services.AddSingleton(new DeviceRegistry(catalog.Vocabulary.Count, options.MaxDevices));
        services.AddOptions<PipelineOptions>().Configure(o =>
        {
            o.BatchSize = options.BatchSize;
            o.FlushInterval = options.FlushInterval;
            o.IdleFlush = options.IdleFlush;
            o.MaxPendingBatches = options.MaxPendingBatches;
            o.MaxDevices = options.MaxDevices;
            o.MaxHeldMessages = options.MaxHeldMessages;
            o.HoldAfter = options.HoldAfter;
            o.MaxWritesInFlight = options.MaxWritesInFlight;
            o.MaxUnacknowledgedBytes = options.MaxUnacknowledgedBytes;
            o.MaxBatchBytes = options.MaxBatchBytes;
        });
        services.AddOptions<GatewayOptions>().Configure(o =>
        {
            o.RulesCheckpointPath = _dir.Sub("rules.checkpoint");
        });
        services.AddOptions<RuleEngineOptions>();
        services.AddSingleton(new DeadLetterStore(new DeadLetterOptions { Path = _dir.Sub("deadletter") }, Time));
        foreach (var sink in Sinks)
        {
            services.AddSingleton<ITelemetrySink>(sink);
        }

        services.AddSingleton<IAlertOutbox>(Outbox);
        if (places is not null)
        {
            services.AddSingleton(places);
        }

        services.AddIngestPipeline(RuleLoader.LoadDirectory(RepoPaths.Rules, catalog.Vocabulary));
        _services = services.BuildServiceProvider();
        Pipeline = _services.GetRequiredService<IngestPipeline>();
        _writer = Task.Run(() => Pipeline.RunWriterAsync(CancellationToken.None));
    }

    public static Lazy<DeviceCatalog> Catalog { get; } = new(() => DeviceCatalog.Load(RepoPaths.Devices));

    public FakeLogCollector Logs => _services.GetFakeLogCollector();

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(1_763_884_800_000));

    public RecordingSink[] Sinks { get; }

    public RecordingSink Sink => Sinks[0];

    public RecordingOutbox Outbox { get; } = new();

    public IngestPipeline Pipeline { get; }

    public Task Writer => _writer;

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    /// <summary>A telemetry message of the IES-300 indoor sensor (JSON) from <paramref name="device"/>.</summary>
    public static (string Topic, string Payload) Environment(string device, double pm25 = 9.4, string building = "hq") =>
        ($"buildings/{building}/floors/3/env/{device}/telemetry",
         $$$"""{"ts":1763884800000,"climate":{"t":23.4,"rh":58.2},"air":{"co2":812,"tvoc":0.21,"pm":{"pm2_5":{{{pm25.ToString(System.Globalization.CultureInfo.InvariantCulture)}}},"pm10":17.0}},"battery":96}""");

    public async ValueTask DisposeAsync()
    {
        Sinks.ToList().ForEach(s => s.Release());
        Pipeline.Complete();
        await _writer.WaitAsync(TimeSpan.FromSeconds(10));
        await _services.DisposeAsync();
        _dir.Dispose();
    }
}

/// <summary>The durable alert outbox as the pipeline sees it: records each committed batch of transitions, and can fail.</summary>
internal sealed class RecordingOutbox : IAlertOutbox
{
    private readonly Lock _gate = new();
    private readonly List<Alert> _alerts = [];

    /// <summary>Commits that throw before one succeeds.</summary>
    public int FailuresLeft { get; set; }

    public IReadOnlyList<Alert> Committed
    {
        get
        {
            lock (_gate)
            {
                return _alerts.ToArray();
            }
        }
    }

    public void Commit(IReadOnlyList<Alert> alerts)
    {
        lock (_gate)
        {
            if (FailuresLeft > 0)
            {
                FailuresLeft--;
                throw new IOException("the outbox's disk is full");
            }

            _alerts.AddRange(alerts);
        }
    }
}
