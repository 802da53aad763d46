using Microsoft.Extensions.Options;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>
/// The bytes of messages taken from the sources and not yet acknowledged, against
/// <see cref="PipelineOptions.MaxUnacknowledgedBytes"/>: the pipeline adds each message as it takes it, the
/// <see cref="BatchWriter"/> gives a batch's bytes back once it is acknowledged, and a new message waits while the
/// budget is spent. Nothing is allocated unless a message has to wait.
/// </summary>
internal sealed class UnacknowledgedBytes(IOptions<PipelineOptions> options)
{
    private readonly long _budget = options.Value.MaxUnacknowledgedBytes;
    private readonly Lock _gate = new();
    private long _held;
    private long _peak;
    private TaskCompletionSource? _room;

    /// <summary>Bytes held now.</summary>
    public long Held => Volatile.Read(ref _held);

    /// <summary>The most ever held at once.</summary>
    public long Peak => Volatile.Read(ref _peak);

    public long Budget => _budget;

    /// <summary>The size a message counts for: its payload and its topic.</summary>
    public static int SizeOf(int topicLength, long payloadLength) => (int)Math.Min(int.MaxValue, topicLength + payloadLength);

    public void Add(int bytes)
    {
        var held = Interlocked.Add(ref _held, bytes);
        if (held > Volatile.Read(ref _peak))
        {
            lock (_gate)
            {
                _peak = Math.Max(_peak, held);
            }
        }
    }

    public void Release(long bytes)
    {
        if (bytes == 0)
        {
            return;
        }

        var held = Interlocked.Add(ref _held, -bytes);
        if (held < _budget && Volatile.Read(ref _room) is not null)
        {
            TaskCompletionSource? room;
            lock (_gate)
            {
                room = _room;
                _room = null;
            }

            room?.TrySetResult();
        }
    }

    /// <summary>Completes at once while the budget has room, else once acknowledgements have made some.</summary>
    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _held) < _budget)
        {
            return ValueTask.CompletedTask;
        }

        return WaitSlowAsync(cancellationToken);
    }

    private async ValueTask WaitSlowAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task room;
            lock (_gate)
            {
                if (Volatile.Read(ref _held) < _budget)
                {
                    return;
                }

                _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                room = _room.Task;
            }

            await room.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
