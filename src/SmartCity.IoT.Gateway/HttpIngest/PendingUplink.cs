using System.Buffers;

namespace SmartCity.IoT.Gateway.HttpIngest;

/// <summary>
/// One posted uplink between its request and its acknowledgement: the body (a pooled buffer, returned once the pipeline
/// has read it) and the task its request and any repeat of it wait on (true: durable; false: dropped unstored).
/// </summary>
internal sealed class PendingUplink(string topic, byte[] buffer, int length, long receivedUnixNs, string? key)
{
    private readonly TaskCompletionSource<bool> _durable = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[]? _buffer = buffer;

    public string Topic { get; } = topic;

    public long ReceivedUnixNs { get; } = receivedUnixNs;

    public string? Key { get; } = key;

    public Task<bool> Durable => _durable.Task;

    public ReadOnlySequence<byte> Payload => new(_buffer ?? throw new InvalidOperationException("the body was already released"), 0, length);

    public void ReleaseBody()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } b)
        {
            ArrayPool<byte>.Shared.Return(b);
        }
    }

    public bool Complete(bool durable) => _durable.TrySetResult(durable);
}
