using System.Diagnostics;
using System.Net.Sockets;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace SmartCity.IoT.LoadTool;

/// <summary>
/// The fast publisher: MQTTnet's packet formatter encodes every PUBLISH before the clock starts, then one socket
/// streams them in large writes while a reader thread counts PUBACKs, keeping at most the broker's receive maximum
/// unacknowledged (packet ids cycle 1..65535, so ids in flight stay unique). That is what mosquitto_pub does, without
/// its 65,535-message limit at QoS 1, and it costs a few microseconds per message where MQTTnet's client publish path
/// costs tens: on 2 shared cores the load generator must not be what limits the ceiling.
/// </summary>
internal sealed class StreamPublisher
{
    private const int ChunkBytes = 64 * 1024;
    private long _acked;
    private long _lastAckTicks;
    private volatile string? _error;
    private readonly ManualResetEventSlim _progress = new(false);

    public long Acked => Interlocked.Read(ref _acked);

    public string? Error => _error;

    /// <summary>Encodes the messages as one contiguous buffer; <paramref name="offsets"/> has one more entry than messages.</summary>
    public static byte[] Encode(IReadOnlyList<(string Topic, byte[] Payload)> messages, MqttQualityOfServiceLevel qos, MqttProtocolVersion version, out int[] offsets)
    {
        var formatter = new MqttPacketFormatterAdapter(version, new MqttBufferWriter(4096, 65536 * 4));
        offsets = new int[messages.Count + 1];
        using var all = new MemoryStream();
        for (var i = 0; i < messages.Count; i++)
        {
            var packet = new MqttPublishPacket
            {
                Topic = messages[i].Topic,
                Payload = new System.Buffers.ReadOnlySequence<byte>(messages[i].Payload),
                QualityOfServiceLevel = qos,
                PacketIdentifier = qos == MqttQualityOfServiceLevel.AtMostOnce ? (ushort)0 : (ushort)((i % 65535) + 1),
            };
            offsets[i] = checked((int)all.Length);
            all.Write(formatter.Encode(packet).ToArray());
            formatter.Cleanup();
        }

        offsets[messages.Count] = checked((int)all.Length);
        return all.ToArray();
    }

    /// <summary>Streams the encoded load; returns the wall-clock ms of the start and of the last acknowledgement (or of the broker closing after DISCONNECT at QoS 0).</summary>
    public (long StartMs, long EndMs, long Sent) Run(string host, int port, string clientId, byte[] wire, int[] offsets, MqttProtocolVersion version, bool qos1, double rate, int window, TimeSpan timeout)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { SendBufferSize = 1 << 20, ReceiveBufferSize = 1 << 20 };
        socket.Connect(host, port);
        socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        socket.SendTimeout = (int)timeout.TotalMilliseconds;
        var formatter = new MqttPacketFormatterAdapter(version, new MqttBufferWriter(4096, 65536));
        socket.Send(formatter.Encode(new MqttConnectPacket { ClientId = clientId, CleanSession = true, KeepAlivePeriod = 0, ReceiveMaximum = 65535 }).ToArray());
        using var stream = new BufferedStream(new NetworkStream(socket, ownsSocket: false), 1 << 16);
        var (type, body) = ReadPacket(stream);
        if (type != 0x20 || formatter.Decode(new ReceivedMqttPacket(0x20, new ArraySegment<byte>(body), body.Length + 2)) is not MqttConnAckPacket connAck)
        {
            throw new InvalidOperationException($"expected CONNACK from {host}:{port}, got packet type 0x{type:X2}");
        }

        if (connAck.ReasonCode != MqttConnectReasonCode.Success)
        {
            throw new InvalidOperationException($"{host}:{port} refused the connection: {connAck.ReasonCode}");
        }

        // The broker disconnects a client that exceeds the receive maximum it announced (MQTT 5 only; 3.1.1 announces none).
        if (connAck.ReceiveMaximum > 0)
        {
            window = Math.Min(window, connAck.ReceiveMaximum);
        }

        window = Math.Clamp(window, 1, 65535);
        var count = offsets.Length - 1;
        var startMs = Broker.NowMs();
        var startTicks = Stopwatch.GetTimestamp();
        Interlocked.Exchange(ref _lastAckTicks, startTicks);
        var reader = new Thread(() => ReadAcks(stream, qos1)) { IsBackground = true, Name = "pubacks" };
        reader.Start();

        var clock = Stopwatch.StartNew();
        var sent = 0;
        while (sent < count && _error is null)
        {
            if (clock.Elapsed > timeout)
            {
                _error = $"timed out after {timeout.TotalSeconds:F0} s with {sent} sent, {Acked} acknowledged";
                break;
            }

            var end = count;
            if (qos1)
            {
                _progress.Reset();
                end = (int)Math.Min(end, Acked + window);
                if (end <= sent)
                {
                    _progress.Wait(100);
                    continue;
                }
            }

            if (rate > 0)
            {
                end = (int)Math.Min(end, (long)(clock.Elapsed.TotalSeconds * rate) + 1);
                if (end <= sent)
                {
                    Thread.Sleep(1);
                    continue;
                }
            }

            // One large write per round: the broker parses many packets per read.
            var last = sent;
            while (last < end && offsets[last + 1] - offsets[sent] <= ChunkBytes)
            {
                last++;
            }

            last = Math.Max(last, sent + 1);
            socket.Send(wire.AsSpan(offsets[sent], offsets[last] - offsets[sent]));
            sent = last;
        }

        if (qos1)
        {
            while (Acked < sent && _error is null && clock.Elapsed < timeout)
            {
                _progress.Reset();
                if (Acked < sent)
                {
                    _progress.Wait(100);
                }
            }
        }

        var lastAck = Interlocked.Read(ref _lastAckTicks);
        // DISCONNECT, then wait for the broker to close: it has then handled every packet before it.
        socket.Send([0xE0, 0x00]);
        socket.Shutdown(SocketShutdown.Send);
        reader.Join(timeout);
        var endTicks = qos1 ? lastAck : Stopwatch.GetTimestamp();
        return (startMs, startMs + (long)Stopwatch.GetElapsedTime(startTicks, endTicks).TotalMilliseconds, sent);
    }

    private void ReadAcks(Stream stream, bool qos1)
    {
        try
        {
            while (true)
            {
                var first = stream.ReadByte();
                if (first < 0)
                {
                    return;
                }

                var length = ReadRemainingLength(stream);
                Skip(stream, length);
                if ((first & 0xF0) == 0x40 && qos1)
                {
                    Interlocked.Increment(ref _acked);
                    Interlocked.Exchange(ref _lastAckTicks, Stopwatch.GetTimestamp());
                    _progress.Set();
                }
                else if ((first & 0xF0) == 0xE0)
                {
                    _error = "the broker sent DISCONNECT";
                    _progress.Set();
                    return;
                }
            }
        }
        catch (IOException) when (_error is null)
        {
            // The socket closed after our DISCONNECT.
        }
        catch (Exception ex)
        {
            _error = "reading acknowledgements failed: " + ex.Message;
            _progress.Set();
        }
    }

    private static (int Type, byte[] Body) ReadPacket(Stream stream)
    {
        var first = stream.ReadByte();
        if (first < 0)
        {
            throw new InvalidOperationException("the broker closed the connection");
        }

        var body = new byte[ReadRemainingLength(stream)];
        stream.ReadExactly(body);
        return (first, body);
    }

    private static int ReadRemainingLength(Stream stream)
    {
        var value = 0;
        for (var shift = 0; shift < 28; shift += 7)
        {
            var b = stream.ReadByte();
            if (b < 0)
            {
                throw new EndOfStreamException("connection closed inside a packet header");
            }

            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException("malformed remaining length");
    }

    private static void Skip(Stream stream, int length)
    {
        Span<byte> scratch = stackalloc byte[256];
        while (length > 0)
        {
            var n = stream.Read(scratch[..Math.Min(length, scratch.Length)]);
            if (n == 0)
            {
                throw new EndOfStreamException("connection closed inside a packet");
            }

            length -= n;
        }
    }
}
