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
    private readonly Dictionary<int, TaskCompletionSource> _heldAttempts = [];
    private readonly HashSet<int> _failingAttempts = [];
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

    /// <summary>Holds write attempt <paramref name="attempt"/> (counted from 1 as writes begin) until <see cref="ReleaseAttempt"/>.</summary>
    public void HoldAttempt(int attempt)
    {
        lock (_gate)
        {
            _heldAttempts[attempt] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void ReleaseAttempt(int attempt)
    {
        lock (_gate)
        {
            _heldAttempts[attempt].TrySetResult();
        }
    }

    /// <summary>Makes write attempt <paramref name="attempt"/> (counted from 1 as writes begin) throw.</summary>
    public void FailAttempt(int attempt)
    {
        lock (_gate)
        {
            _failingAttempts.Add(attempt);
        }
    }

    /// <summary>Lets every write through, the attempts held one by one included.</summary>
    public void Release()
    {
        lock (_gate)
        {
            _release.TrySetResult();
            foreach (var held in _heldAttempts.Values)
            {
                held.TrySetResult();
            }
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
        int attempt;
        lock (_gate)
        {
            attempt = ++_writes;
            var started = _started;
            _started = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            started.TrySetResult(attempt);
            release = _heldAttempts.TryGetValue(attempt, out var held) ? held.Task : _release.Task;
        }

        await release.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (_failingAttempts.Remove(attempt))
            {
                throw new IOException($"{Name} failed write attempt {attempt}");
            }

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
