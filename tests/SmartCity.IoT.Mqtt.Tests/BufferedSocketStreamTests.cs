using System.Net;
using System.Net.Sockets;
using SmartCity.IoT.Mqtt.Transport;

namespace SmartCity.IoT.Mqtt.Tests;

/// <summary>The buffered broker connection over a real loopback socket: byte order both ways, coalesced writes, failures.</summary>
public sealed class BufferedSocketStreamTests : IAsyncLifetime
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private Socket _peer = null!;
    private BufferedSocketStream _stream = null!;

    public async Task InitializeAsync()
    {
        _listener.Start();
        var provider = new BufferedSocketStreamProvider(1024 * 1024);
        var accept = _listener.AcceptSocketAsync();
        _stream = (BufferedSocketStream)await provider.ConnectAsync(_listener.LocalEndpoint, CancellationToken.None);
        _peer = await accept;
        Assert.Same(_stream, provider.Current);
    }

    public Task DisposeAsync()
    {
        _stream.Dispose();
        _peer.Dispose();
        _listener.Stop();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Byte_at_a_time_reads_return_the_peer_bytes_in_order()
    {
        var sent = Pattern(200_000, seed: 3);
        var send = _peer.SendAsync(sent);
        var received = new byte[sent.Length];
        var one = new byte[1];
        var n = 0;
        // MQTTnet reads fixed headers a byte at a time and bodies in chunks: mix both.
        while (n < received.Length)
        {
            if (n % 7 == 0)
            {
                Assert.Equal(1, await _stream.ReadAsync(one));
                received[n++] = one[0];
            }
            else
            {
                n += await _stream.ReadAsync(received.AsMemory(n, Math.Min(1000, received.Length - n)));
            }
        }

        await send;
        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task Many_small_writes_arrive_whole_and_in_order_in_fewer_socket_writes()
    {
        // 20,000 four-byte PUBACK-sized packets, as a stored batch acknowledges them.
        const int packets = 20_000;
        var expected = new byte[packets * 4];
        for (var i = 0; i < packets; i++)
        {
            var packet = new byte[] { 0x40, 0x02, (byte)(i >> 8), (byte)i };
            packet.CopyTo(expected, i * 4);
            await _stream.WriteAsync(packet);
        }

        await _stream.FlushAsync();
        var received = await ReceiveAsync(_peer, expected.Length);
        Assert.Equal(expected, received);
        Assert.Equal(packets, _stream.WriteCalls);
        Assert.InRange(_stream.SocketWrites, 1, packets - 1);
    }

    [Fact]
    public async Task Disposing_sends_what_is_still_queued_before_closing()
    {
        // MQTTnet writes DISCONNECT and closes the stream at once; the last acknowledgements must still go out. The peer
        // reads slowly, so at the moment of closing about a megabyte is still queued above the kernel's buffers.
        _peer.ReceiveBufferSize = 64 * 1024;
        var expected = Pattern(3 * 1024 * 1024, seed: 5);
        for (var i = 0; i < expected.Length; i += 16)
        {
            await _stream.WriteAsync(expected.AsMemory(i, 16));
        }

        var reader = Task.Run(async () =>
        {
            await Task.Delay(300);
            return await ReceiveAsync(_peer, expected.Length);
        });
        _stream.Dispose();
        var received = await reader;
        Assert.Equal(expected, received);
        Assert.Equal(0, await _peer.ReceiveAsync(new byte[1]));
    }

    [Fact]
    public async Task A_large_backlog_of_writes_is_held_back_until_the_socket_takes_it()
    {
        // More than the pending limit plus the kernel's buffers while the peer does not read: the writer must wait, then
        // everything arrives.
        _peer.ReceiveBufferSize = 64 * 1024;
        var chunk = Pattern(64 * 1024, seed: 9);
        var writes = Task.Run(async () =>
        {
            for (var i = 0; i < 160; i++)
            {
                await _stream.WriteAsync(chunk);
            }

            await _stream.FlushAsync();
        });
        await Task.Delay(200);
        Assert.False(writes.IsCompleted, "10 MiB cannot all be buffered while the peer reads nothing");
        var received = await ReceiveAsync(_peer, chunk.Length * 160);
        await writes.WaitAsync(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 160; i++)
        {
            Assert.True(received.AsSpan(i * chunk.Length, chunk.Length).SequenceEqual(chunk), $"chunk {i} arrived changed");
        }
    }

    [Fact]
    public async Task After_the_peer_resets_the_connection_writes_fail_and_reads_end()
    {
        _peer.LingerState = new LingerOption(true, 0);
        _peer.Close(); // RST
        var failed = false;
        for (var i = 0; i < 200 && !failed; i++)
        {
            try
            {
                await _stream.WriteAsync(Pattern(1024, seed: i));
                await _stream.FlushAsync();
            }
            catch (IOException)
            {
                failed = true;
            }

            await Task.Delay(5);
        }

        Assert.True(failed, "writing to a reset connection must surface an IOException");
        var buffer = new byte[16];
        int read;
        try
        {
            read = await _stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
            read = 0;
        }

        Assert.Equal(0, read);
    }

    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]> ReceiveAsync(Socket socket, int length)
    {
        var buffer = new byte[length];
        var n = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (n < length)
        {
            var r = await socket.ReceiveAsync(buffer.AsMemory(n), timeout.Token);
            Assert.True(r > 0, $"the connection closed after {n} of {length} bytes");
            n += r;
        }

        return buffer;
    }
}
