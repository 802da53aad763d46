using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Rules.Loading;

/// <summary>
/// Watches a rules directory and reloads it after changes settle (debounce). On success <c>onLoaded</c> receives the new
/// <see cref="RuleSet"/> (hand it to <see cref="Engine.RuleEngine.Reload"/> under the engine's lock); on failure
/// <c>onFailed</c> receives every error with file, line and column, and the old rules keep running. A reload never throws,
/// whatever the files hold: it runs on a timer thread, where an exception would end the process. Callbacks run one at a time.
/// </summary>
public sealed class RuleDirectoryWatcher : IDisposable
{
    private readonly string _directory;
    private readonly FieldVocabulary _vocabulary;
    private readonly Action<RuleSet> _onLoaded;
    private readonly Action<IReadOnlyList<Diagnostic>> _onFailed;
    private readonly TimeSpan _debounce;
    private readonly FileSystemWatcher _watcher;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private bool _disposed;

    public RuleDirectoryWatcher(
        string rulesDirectory,
        FieldVocabulary vocabulary,
        Action<RuleSet> onLoaded,
        Action<IReadOnlyList<Diagnostic>> onFailed,
        TimeSpan? debounce = null,
        TimeProvider? time = null)
    {
        _directory = Path.GetFullPath(rulesDirectory);
        _vocabulary = vocabulary;
        _onLoaded = onLoaded;
        _onFailed = onFailed;
        _debounce = debounce ?? TimeSpan.FromMilliseconds(500);
        _timer = (time ?? TimeProvider.System).CreateTimer(_ => Reload(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _watcher = new FileSystemWatcher(_directory)
        {
            IncludeSubdirectories = false,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += OnChange;
        _watcher.Created += OnChange;
        _watcher.Deleted += OnChange;
        _watcher.Renamed += OnChange;
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>Number of reload attempts so far (successful or not).</summary>
    public int Reloads { get; private set; }

    /// <summary>Schedules a reload as if a file changed (e.g. on SIGHUP or from the status page).</summary>
    public void Trigger() => _timer.Change(_debounce, Timeout.InfiniteTimeSpan);

    /// <summary>Loads the directory now and invokes the matching callback.</summary>
    public void Reload()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            Reloads++;
            RuleSet rules;
            try
            {
                rules = RuleLoader.LoadDirectory(_directory, _vocabulary);
            }
            catch (DiagnosticException ex)
            {
                _onFailed(ex.Errors);
                return;
            }
            catch (Exception ex)
            {
                // Whatever went wrong, the old rules keep running: an exception here would end the process.
                _onFailed([new Diagnostic(_directory, 0, 0, $"the rules could not be reloaded: {ex.Message}")]);
                return;
            }

            _onLoaded(rules);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _watcher.Dispose();
        _timer.Dispose();
    }

    private void OnChange(object sender, FileSystemEventArgs e)
    {
        var ext = Path.GetExtension(e.Name ?? "");
        if (RuleLoader.Extensions.Contains(ext, StringComparer.OrdinalIgnoreCase) || (e is RenamedEventArgs r && RuleLoader.Extensions.Contains(Path.GetExtension(r.OldName ?? ""), StringComparer.OrdinalIgnoreCase)))
        {
            Trigger(); // restarts the debounce: editors write files in several steps
        }
    }
}
