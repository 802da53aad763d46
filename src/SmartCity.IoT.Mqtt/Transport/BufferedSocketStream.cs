using System.Net;
using System.Net.Sockets;
using MQTTnet.Channel;

namespace SmartCity.IoT.Mqtt.Transport;

/// <summary>
/// The broker connection under MQTTnet, buffered both ways. MQTTnet reads each packet's fixed header a byte at a time
/// and writes every PUBACK on its own, i.e. about four system calls per QoS 1 message on a plain socket; on a 2-core box
/// shared with the broker and InfluxDB those calls, and the broker's wake-up for each PUBACK, cost more than decoding and
/// rules together. Reads here are served from a 64 KiB buffer. Writes are appended to a pending buffer and sent by one
/// background loop, so the PUBACKs of a stored batch leave in a few large writes, in order. A write error closes the
/// socket: MQTTnet then sees the connection drop, and the broker redelivers whatever was not acknowledged.
/// </summary>
internal sealed class BufferedSocketStream : Stream, IMqttClientStreamEndPoints
{
    private const int ReadBufferBytes = 64 * 1024;

    /// <summary>Above this much unsent data a writer waits for the socket (back-pressure instead of memory growth).</summary>
    private const int MaxPendingBytes = 4 * 1024 * 1024;

    private static readonly TimeSpan DisposeDrainTimeout = TimeSpan.FromSeconds(2);

    private readonly Socket _socket;
    private readonly NetworkStream _inner;
    private readonly byte[] _readBuffer = new byte[ReadBufferBytes];
    private readonly Lock _writeLock = new();
    private int _readStart;
    private int _readEnd;
    private byte[] _pending = new byte[16 * 1024];
    private int _pendingLength;
    private byte[] _sending = new byte[16 * 1024];
    private bool _flushing;
    private TaskCompletionSource? _drained;
    private TaskCompletionSource? _room;
    private Exception? _writeFailure;
    private long _writeCalls;
    private long _socketWrites;

    public BufferedSocketStream(Socket socket)
    {
        _socket = socket;
        _inner = new NetworkStream(socket, ownsSocket: true);
    }

    public EndPoint? LocalEndPoint => _socket.LocalEndPoint;

    public EndPoint? RemoteEndPoint => _socket.RemoteEndPoint;

    /// <summary>Writes asked for by MQTTnet (one per packet).</summary>
    public long WriteCalls => Interlocked.Read(ref _writeCalls);

    /// <summary>Writes made to the socket; far fewer than <see cref="WriteCalls"/> when acknowledgements leave in bulk.</summary>
    public long SocketWrites => Interlocked.Read(ref _socketWrites);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_readStart == _readEnd)
        {
            if (buffer.Length >= ReadBufferBytes)
            {
                return await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }

            _readStart = 0;
            _readEnd = await _inner.ReadAsync(_readBuffer, cancellationToken).ConfigureAwait(false);
            if (_readEnd == 0)
            {
                return 0;
            }
        }

        var n = Math.Min(buffer.Length, _readEnd - _readStart);
        _readBuffer.AsSpan(_readStart, n).CopyTo(buffer.Span);
        _readStart += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Task? wait = null;
        var start = false;
        lock (_writeLock)
        {
            if (_writeFailure is { } failure)
            {
                throw new IOException("the connection to the broker failed: " + failure.Message, failure);
            }

            Append(buffer.Span);
            _writeCalls++;
            if (!_flushing)
            {
                _flushing = true;
                start = true;
            }

            if (_pendingLength > MaxPendingBytes)
            {
                _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _room.Task;
            }
        }

        if (start)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.SendLoopAsync(), this, preferLocal: false);
        }

        return wait is null ? ValueTask.CompletedTask : new ValueTask(wait.WaitAsync(cancellationToken));
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Completes once everything written so far has reached the socket.</summary>
    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        lock (_writeLock)
        {
            if (_writeFailure is { } failure)
            {
                return Task.FromException(new IOException("the connection to the broker failed: " + failure.Message, failure));
            }

            if (!_flushing)
            {
                return Task.CompletedTask;
            }

            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task.WaitAsync(cancellationToken);
        }
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // MQTTnet closes the stream right after writing DISCONNECT: send what is still queued (the last PUBACKs and
            // the DISCONNECT) first, briefly. Whatever does not make it is redelivered by the broker, never lost.
            try
            {
                FlushAsync(CancellationToken.None).Wait(DisposeDrainTimeout);
            }
            catch (AggregateException)
            {
                // The connection already failed; nothing more can be sent.
            }

            _inner.Dispose();
            lock (_writeLock)
            {
                _writeFailure ??= new ObjectDisposedException(nameof(BufferedSocketStream));
                _drained?.TrySetException(_writeFailure);
                _room?.TrySetException(_writeFailure);
                _drained = _room = null;
            }
        }

        base.Dispose(disposing);
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_pendingLength + data.Length > _pending.Length)
        {
            Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingLength + data.Length));
        }

        data.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength += data.Length;
    }

    /// <summary>The one sender: swaps the pending buffer out and writes it whole until nothing is left.</summary>
    private async Task SendLoopAsync()
    {
        while (true)
        {
            int length;
            TaskCompletionSource? drained = null;
            TaskCompletionSource? room;
            lock (_writeLock)
            {
                length = _pendingLength;
                if (length == 0)
                {
                    _flushing = false;
                    drained = _drained;
                    _drained = null;
                }
                else
                {
                    (_pending, _sending) = (_sending, _pending);
                    _pendingLength = 0;
                }

                // Writers held back by a full buffer may go on: the pending buffer is empty again.
                room = _room;
                _room = null;
            }

            room?.TrySetResult();
            drained?.TrySetResult();
            if (length == 0)
            {
                return;
            }

            try
            {
                await _inner.WriteAsync(_sending.AsMemory(0, length)).ConfigureAwait(false);
                Interlocked.Increment(ref _socketWrites);
            }
            catch (Exception ex)
            {
                lock (_writeLock)
                {
                    _writeFailure = ex;
                    _flushing = false;
                    _pendingLength = 0;
                    drained = _drained;
                    room = _room;
                    _drained = _room = null;
                }

                drained?.TrySetException(ex);
                room?.TrySetException(ex);
                // Closing the socket ends MQTTnet's read loop, which reports the disconnect and reconnects.
                _socket.Dispose();
                return;
            }
        }
    }
}
