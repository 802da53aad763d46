using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Mqtt;
using Xunit.Abstractions;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>Issue 16: the demo's unauthenticated broker listens exactly where configured, and its log says where that is.</summary>
public sealed class EmbeddedBrokerBindTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(null, new[] { "127.0.0.1" })]
    [InlineData("localhost", new[] { "127.0.0.1", "::1" })]
    public async Task The_embedded_broker_binds_loopback_only_and_logs_the_real_endpoints(string? bindAddress, string[] expected)
    {
        var port = FreePort.Next();
        var log = new LogCapture();
        await using var gateway = await GatewayInstance.StartAsync(s =>
        {
            s["Mqtt:Host"] = "";
            s["Mqtt:EmbeddedPort"] = port.ToString(CultureInfo.InvariantCulture);
            if (bindAddress is not null)
            {
                s["Mqtt:EmbeddedBindAddress"] = bindAddress;
            }
        }, services: s => s.AddSingleton<ILoggerProvider>(log));

        var broker = gateway.Get<EmbeddedBroker>();
        var endpoints = expected.Select(a => new IPEndPoint(IPAddress.Parse(a), port)).ToArray();
        Assert.Equal(endpoints, broker.BoundEndpoints);
        var line = Assert.Single(log.Lines, l => l.Message.StartsWith("Embedded MQTT broker listening on", StringComparison.Ordinal));
        Assert.Equal($"Embedded MQTT broker listening on {string.Join(" and ", endpoints.Select(e => e.ToString()))} only (demo mode; set Mqtt:Host to use a real broker)", line.Message);
        foreach (var endpoint in endpoints)
        {
            Assert.True(await ConnectsAsync(endpoint), $"the broker should answer on {endpoint}");
        }

        var outside = NonLoopbackAddresses();
        if (outside.Count == 0)
        {
            // Nothing to probe from outside: the bound endpoints above are the evidence, and the output says so.
            output.WriteLine("this machine has no non-loopback address; only the bound endpoints were checked");
        }

        foreach (var address in outside)
        {
            Assert.False(await ConnectsAsync(new IPEndPoint(address, port)), $"the embedded broker answered on the non-loopback address {address}");
        }

        output.WriteLine($"checked {outside.Count} non-loopback addresses: {string.Join(", ", outside)}");
    }

    private static List<IPAddress> NonLoopbackAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(a => a.Address))
            .Where(a => !IPAddress.IsLoopback(a))
            .ToList();

    private static async Task<bool> ConnectsAsync(IPEndPoint endpoint)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await socket.ConnectAsync(endpoint, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
