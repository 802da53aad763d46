using System.Text;
using SmartCity.IoT.Core.Pipeline;

namespace SmartCity.IoT.Testing;

/// <summary>
/// A second sink, only in tests: keeps every line it was given, can be held (a slow sink) and can fail a number of
/// times (a broken one). <see cref="WriteStarted"/> signals each write as it begins.
/// </summary>
internal sealed class RecordingSink(string name = "recording") : ITelemetrySink
{
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private TaskCompletionSource _release = NewReleased();
    private TaskCompletionSource<int> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _writes;

    public string Name { get; } = name;

    /// <summary>Writes that throw before one succeeds.</summary>
    public int FailuresLeft { get; set; }

    public int Attempts => Volatile.Read(ref _writes);

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return _lines.ToArray();
            }
        }
    }

    public long LineCount
    {
        get
        {
            lock (_gate)
            {
                return _lines.Count;
            }
        }
    }

    /// <summary>Completes when the next write begins (with the attempt number).</summary>
    public Task<int> WriteStarted
    {
        get
        {
            lock (_gate)
            {
                return _started.Task;
            }
        }
    }

    /// <summary>From now on writes wait until <see cref="Release"/>.</summary>
    public void Hold()
    {
        lock (_gate)
        {
            _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Release()
    {
        lock (_gate)
        {
            _release.TrySetResult();
        }
    }

    /// <summary>Lets the writes waiting now complete and holds the ones after them.</summary>
    public void ReleaseOne()
    {
        lock (_gate)
        {
            var waiting = _release;
            _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiting.TrySetResult();
        }
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> lines, int lineCount, CancellationToken cancellationToken)
    {
        Task release;
        lock (_gate)
        {
            var attempt = ++_writes;
            var started = _started;
            _started = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            started.TrySetResult(attempt);
            release = _release.Task;
        }

        await release.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (FailuresLeft > 0)
            {
                FailuresLeft--;
                throw new IOException($"{Name} is broken");
            }

            var text = Encoding.UTF8.GetString(lines.Span);
            var split = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(lineCount, split.Length);
            _lines.AddRange(split);
        }
    }

    private static TaskCompletionSource NewReleased()
    {
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        released.SetResult();
        return released;
    }
}
