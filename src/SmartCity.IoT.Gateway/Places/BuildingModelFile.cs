using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Core.Places;
using SmartCity.IoT.Gateway.Hosting;
using SmartCity.IoT.Gateway.Pipeline;

namespace SmartCity.IoT.Gateway.Places;

/// <summary>
/// The gateway's <see cref="IBuildingModelSource"/>: the model file loaded at start (a broken file stops the start with
/// every <c>file:line:col</c> error), then reloaded when it changes. A broken edit keeps the model in force, logs each
/// error and shows them in <c>/api/status</c> until a good edit replaces it, as rule reloads do.
/// </summary>
internal sealed partial class BuildingModelFile : IBuildingModelSource, IHostedService, IDisposable
{
    private readonly ILogger<BuildingModelFile> _logger;
    private readonly TimeSpan _delay;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private FileSystemWatcher? _watcher;
    private BuildingModelDocument? _document;
    private BuildingModel _current = BuildingModel.Empty;
    private bool _disposed;

    /// <param name="initial">The model loaded when the host was built (<see cref="LoadInitial"/>), or null for none.</param>
    public BuildingModelFile(BuildingModelDocument? initial, IOptions<BuildingsOptions> options, TimeProvider time, ILogger<BuildingModelFile> logger)
    {
        _logger = logger;
        _delay = options.Value.ReloadDelay;
        Reloads = new RuleReloadStatus(time);
        Path = options.Value.Path.Length == 0 ? null : GatewayPaths.Resolve(options.Value.Path);
        _timer = time.CreateTimer(_ => Reload(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _document = initial;
        Current = initial?.Model ?? BuildingModel.Empty;
    }

    /// <summary>The model at <paramref name="options"/>' path, or null when there is none (no path, no file).</summary>
    /// <exception cref="DiagnosticException">The file has mistakes.</exception>
    public static BuildingModelDocument? LoadInitial(BuildingsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Path.Length == 0)
        {
            return null;
        }

        var path = GatewayPaths.Resolve(options.Path);
        return File.Exists(path) ? BuildingModelLoader.Load(path, options.Path) : null;
    }

    /// <summary>The model file, or null when <c>Buildings:Path</c> is empty.</summary>
    public string? Path { get; }

    public BuildingModel Current
    {
        get => Volatile.Read(ref _current);
        private set => Volatile.Write(ref _current, value);
    }

    /// <summary>The document in force (with positions and placement), or null while there is no model.</summary>
    public BuildingModelDocument? Document => Volatile.Read(ref _document);

    /// <summary>The last reload's errors while the old model stays in force.</summary>
    public RuleReloadStatus Reloads { get; }

    public event EventHandler<BuildingModel>? Changed;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Path is null)
        {
            return Task.CompletedTask;
        }

        if (_document is null)
        {
            LogNoModel(_logger, Path);
        }
        else
        {
            LogLoaded(_logger, Current.Places.Count, _document.Placement.ByDevice.Count, _document.Placement.Rules.Count, Path);
        }

        var folder = System.IO.Path.GetDirectoryName(Path)!;
        if (Directory.Exists(folder))
        {
            _watcher = new FileSystemWatcher(folder, System.IO.Path.GetFileName(Path))
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            _watcher.Changed += OnChange;
            _watcher.Created += OnChange;
            _watcher.Renamed += OnChange;
            _watcher.Deleted += OnChange;
            _watcher.EnableRaisingEvents = true;
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _watcher?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Schedules a reload after the delay (restarted by every further change).</summary>
    public void Trigger() => _timer.Change(_delay, Timeout.InfiniteTimeSpan);

    /// <summary>Loads the file now: a good file replaces the model, a broken one is reported and changes nothing. Never throws.</summary>
    public void Reload()
    {
        lock (_gate)
        {
            if (_disposed || Path is null)
            {
                return;
            }

            var errors = new List<Diagnostic>();
            BuildingModelDocument? document;
            try
            {
                document = File.Exists(Path)
                    ? BuildingModelLoader.TryLoad(Path, Path, errors)
                    : null;
                if (!File.Exists(Path))
                {
                    errors.Add(new Diagnostic(Path, 1, 1, "the model file is gone; the model loaded before stays in force"));
                }
            }
            catch (Exception ex)
            {
                // Whatever went wrong, the old model stays: an exception on the timer thread would end the process.
                document = null;
                errors.Add(new Diagnostic(Path, 1, 1, $"the building model could not be reloaded: {ex.Message}"));
            }

            if (document is null)
            {
                Reloads.Failed(errors);
                foreach (var error in errors)
                {
                    LogReloadFailed(_logger, error.ToString());
                }

                return;
            }

            Volatile.Write(ref _document, document);
            Current = document.Model;
            Reloads.Succeeded();
            LogLoaded(_logger, document.Model.Places.Count, document.Placement.ByDevice.Count, document.Placement.Rules.Count, Path);
        }

        Changed?.Invoke(this, Current);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _watcher?.Dispose();
        _timer.Dispose();
    }

    private void OnChange(object sender, FileSystemEventArgs e) => Trigger();

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "Building model: {Places} places, {Devices} devices placed by id and {Rules} placement rules from {Path}")]
    private static partial void LogLoaded(ILogger logger, int places, int devices, int rules, string path);

    [LoggerMessage(EventId = 701, Level = LogLevel.Error, Message = "Building model reload rejected, the previous model stays in force: {Error}")]
    private static partial void LogReloadFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "No building model at {Path}: every device is unplaced until the file is written (it is picked up without a restart)")]
    private static partial void LogNoModel(ILogger logger, string path);
}
