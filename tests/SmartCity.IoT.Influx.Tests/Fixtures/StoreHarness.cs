using SmartCity.IoT.Core.DeadLetters;
using SmartCity.IoT.Influx.Http;
using SmartCity.IoT.Influx.Spool;

namespace SmartCity.IoT.Influx.Tests.Fixtures;

/// <summary>The store wired by hand (as AddInfluxStore does) over a temp spool, with the replay service optionally running.</summary>
internal sealed class StoreHarness : IAsyncDisposable
{
    private readonly TempDir _dir = new("influx-store");
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly CancellationTokenSource _stop = new();

    public StoreHarness(InfluxOptions influx, SpoolOptions? spool = null, TimeProvider? time = null, string? spoolPath = null)
    {
        Influx = influx;
        SpoolOptions = spool ?? new SpoolOptions();
        SpoolOptions.Path = spoolPath ?? _dir.Sub("spool");
        Time = time ?? TimeProvider.System;
        Status = new StoreStatus(influx.IsConfigured, SpoolOptions.MaxBytes, SpoolOptions.FullPolicy);
        DeadLetterOptions = new DeadLetterOptions { Path = Path.Combine(SpoolOptions.Path, "deadletter") };
        DeadLetters = new DeadLetterStore(DeadLetterOptions, Time);
        Spool = DiskSpool.Open(SpoolOptions, Status, null, Time);
        Writer = influx.IsConfigured ? new InfluxWriter(_http, influx, DeadLetters, Status, Time) : null;
        Store = new DurableBatchStore(Writer, Spool, Status, Time, spoolEnabled: SpoolOptions.Enabled);
        Replay = new SpoolReplayService(Writer, Spool, Store, Status, influx, Time);
    }

    public InfluxOptions Influx { get; }

    public SpoolOptions SpoolOptions { get; }

    public TimeProvider Time { get; }

    public StoreStatus Status { get; }

    public DeadLetterOptions DeadLetterOptions { get; }

    public DeadLetterStore DeadLetters { get; }

    public DiskSpool Spool { get; }

    public InfluxWriter? Writer { get; }

    public DurableBatchStore Store { get; }

    public SpoolReplayService Replay { get; }

    public string SpoolPath => SpoolOptions.Path;

    public Task StartReplayAsync() => Replay.StartAsync(_stop.Token);

    /// <summary>All dead-letter records written so far, parsed.</summary>
    public List<System.Text.Json.JsonElement> DeadLetterRecords()
    {
        var result = new List<System.Text.Json.JsonElement>();
        if (!Directory.Exists(DeadLetters.DirectoryPath))
        {
            return result;
        }

        foreach (var file in Directory.GetFiles(DeadLetters.DirectoryPath, "*.jsonl"))
        {
            foreach (var line in File.ReadLines(file))
            {
                result.Add(System.Text.Json.JsonDocument.Parse(line).RootElement.Clone());
            }
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Replay.StopAsync(CancellationToken.None);
        }
        catch (OperationCanceledException)
        {
        }

        Replay.Dispose();
        Spool.Dispose();
        DeadLetters.Dispose();
        _http.Dispose();
        _stop.Dispose();
        _dir.Dispose();
    }
}
