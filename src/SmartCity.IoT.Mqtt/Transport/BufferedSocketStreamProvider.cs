using System.Net;
using System.Net.Sockets;
using MQTTnet;
using MQTTnet.Channel;

namespace SmartCity.IoT.Mqtt.Transport;

/// <summary>Opens the broker connection for MQTTnet as a <see cref="BufferedSocketStream"/> (TLS, when on, is layered on top by MQTTnet).</summary>
public sealed class BufferedSocketStreamProvider(int socketBufferBytes) : IMqttClientStreamProvider
{
    /// <summary>Socket send and receive buffer unless configured otherwise (<c>Mqtt:SocketBufferBytes</c>).</summary>
    public const int DefaultSocketBufferBytes = 1024 * 1024;

    /// <summary>The stream of the latest connection, for the status page's counters.</summary>
    internal BufferedSocketStream? Current { get; private set; }

    /// <summary>Makes the TCP connection of <paramref name="options"/> go through this provider.</summary>
    public void AttachTo(MqttClientOptions options)
    {
        var tcp = options.ChannelOptions as MqttClientTcpOptions
            ?? throw new ArgumentException("only a TCP connection can be buffered", nameof(options));
        tcp.StreamProvider = this;
    }

    public async Task<Stream> ConnectAsync(EndPoint remoteEndPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveBufferSize = socketBufferBytes,
            SendBufferSize = socketBufferBytes,
        };
        try
        {
            await socket.ConnectAsync(remoteEndPoint, cancellationToken).ConfigureAwait(false);
            var stream = new BufferedSocketStream(socket);
            Current = stream;
            return stream;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
