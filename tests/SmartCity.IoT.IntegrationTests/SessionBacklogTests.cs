using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Gateway.Pipeline;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Mqtt;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>
/// Catch-up after the gateway was away: Mosquitto queues the readings for the persistent session and sends them as fast
/// as the gateway's socket takes them. With MQTTnet's default 8 KiB socket buffer the receive window closed whenever the
/// gateway paused to flush a batch, and a large backlog trickled in at a few hundred messages a second (found in the load
/// run). The gateway now asks for <see cref="MqttOptions.SocketBufferBytes"/>; this checks the kernel granted it on the
/// real connection, and that a queued backlog arrives whole.
/// </summary>
public sealed partial class SessionBacklogTests
{
    private const int Backlog = 20_000;

    [Fact]
    public async Task A_backlog_queued_while_the_gateway_was_away_is_delivered_whole_over_a_large_socket_buffer()
    {
        var dataDir = Directory.CreateTempSubdirectory("smartcity-backlog-").FullName;
        var clientId = "it-backlog-" + Guid.NewGuid().ToString("N")[..8];
        void Configure(Dictionary<string, string?> s)
        {
            s["Mqtt:ClientId"] = clientId;
            s["Mqtt:ReceiveMaximum"] = "2000";
        }

        try
        {
            List<TrafficMessage> messages;
            await using (var first = await GatewayInstance.StartAsync(Configure, dataDir: dataDir))
            {
                // The first start creates the session; the backlog then waits at the broker while the gateway is stopped.
                messages = SampleTraffic.Build(first.Get<DeviceCatalog>(), Backlog, "blg" + Guid.NewGuid().ToString("N")[..4]);
            }

            await using (var publisher = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort))
            {
                foreach (var m in messages)
                {
                    await publisher.PublishAsync(m.Topic, m.Payload);
                }
            }

            await using var second = await GatewayInstance.StartAsync(Configure, dataDir: dataDir);
            Assert.True(second.Get<MqttIngestClient>().SessionPresent, "the broker should have kept the session and its queued messages");

            var receiveBuffer = GatewaySocketReceiveBuffer(TestEnvironment.MosquittoPort);
            var expected = ExpectedReceiveBuffer(new MqttOptions().SocketBufferBytes);
            Assert.True(receiveBuffer >= expected, $"the gateway's socket receive buffer is {receiveBuffer} bytes; expected at least {expected} (Mqtt:SocketBufferBytes)");

            var stats = second.Get<PipelineStats>();
            var acknowledged = await Eventually.WaitAsync(() => Task.FromResult(stats.Acknowledged), n => n >= Backlog, TimeSpan.FromSeconds(90), $"{Backlog} queued readings to be stored and acknowledged");
            Assert.Equal(Backlog, acknowledged);
            Assert.Equal(Backlog, stats.Decoded);

            // The acknowledgements of each stored batch left the gateway in bulk, not one socket write each.
            var broker = (await second.StatusAsync()).Broker!;
            Assert.True(broker.PacketsWritten >= Backlog, $"{broker.PacketsWritten} packets written for {Backlog} acknowledgements");
            Assert.True(broker.SocketWrites * 10 < broker.PacketsWritten, $"{broker.PacketsWritten} packets took {broker.SocketWrites} socket writes");
        }
        finally
        {
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
                // Left to the OS temp cleaner.
            }
        }
    }

    /// <summary>The kernel doubles a requested SO_RCVBUF and caps the request at net.core.rmem_max.</summary>
    private static long ExpectedReceiveBuffer(int requested)
    {
        var max = long.Parse(File.ReadAllText("/proc/sys/net/core/rmem_max").Trim(), CultureInfo.InvariantCulture);
        return 2 * Math.Min(requested, max);
    }

    /// <summary>The receive buffer (ss's <c>rb</c>) of this process's connections to the broker's port.</summary>
    private static long GatewaySocketReceiveBuffer(int brokerPort)
    {
        var info = new ProcessStartInfo("ss", ["-tmnp", "dport", "=", ":" + brokerPort.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardOutput = true };
        using var ss = Process.Start(info) ?? throw new InvalidOperationException("ss (iproute2) could not be started");
        var output = ss.StandardOutput.ReadToEnd();
        ss.WaitForExit();
        // One entry per connection: its line names the owning pid, the next line holds skmem:(...,rb<bytes>,...).
        var pid = "pid=" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ",";
        var lines = output.Split('\n');
        var buffers = new List<long>();
        for (var i = 0; i + 1 < lines.Length; i++)
        {
            if (lines[i].Contains(pid, StringComparison.Ordinal) && ReceiveBufferPattern().Match(lines[i + 1]) is { Success: true } m)
            {
                buffers.Add(long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        }

        Assert.True(buffers.Count > 0, $"no connection of this process to port {brokerPort} in `ss -tmnp`:\n{output}");
        // The test publisher has disconnected; every remaining connection to the broker is the gateway's.
        return buffers.Min();
    }

    [GeneratedRegex(@"\brb(\d+)")]
    private static partial Regex ReceiveBufferPattern();
}
