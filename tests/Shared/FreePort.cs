using System.Net;
using System.Net.Sockets;

namespace SmartCity.IoT.Testing;

internal static class FreePort
{
    private static readonly HashSet<int> Given = [];

    /// <summary>
    /// A port free on 127.0.0.1 now, and never one this process was given before: the system may hand back a port it
    /// just gave out, and two listeners of one server (or two servers of one test) would then collide.
    /// </summary>
    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (Given)
            {
                if (Given.Add(port))
                {
                    return port;
                }
            }
        }
    }

    /// <summary>Whether something accepts TCP connections on 127.0.0.1:<paramref name="port"/> now (a refusal on loopback is immediate).</summary>
    public static bool Listens(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
