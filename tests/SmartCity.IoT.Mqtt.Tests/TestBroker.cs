using System.Net;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Mqtt.Tests;

/// <summary>MQTTnet's server on a free loopback port, with persistent sessions and a hook to refuse connects.</summary>
internal sealed class TestBroker : IAsyncDisposable
{
    private TestBroker(MqttServer server, int port)
    {
        Server = server;
        Port = port;
    }

    public MqttServer Server { get; }

    public int Port { get; }

    /// <summary>Decides each CONNECT: the reason code to answer (Success to accept).</summary>
    public Func<ValidatingConnectionEventArgs, MqttConnectReasonCode> Validate { get; set; } = _ => MqttConnectReasonCode.Success;

    public static async Task<TestBroker> StartAsync()
    {
        var port = FreePort.Next();
        var server = new MqttServerFactory().CreateMqttServer(new MqttServerOptionsBuilder()
            .WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(IPAddress.Loopback).WithDefaultEndpointPort(port)
            .WithPersistentSessions().Build());
        var broker = new TestBroker(server, port);
        server.ValidatingConnectionAsync += e =>
        {
            e.ReasonCode = broker.Validate(e);
            return Task.CompletedTask;
        };
        await server.StartAsync();
        return broker;
    }

    public Task PublishAsync(string topic, string payload, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce, bool retain = false) =>
        Server.InjectApplicationMessage(new InjectedMqttApplicationMessage(
            new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos).WithRetainFlag(retain).Build()));

    public static MqttProtocolVersion V5 => MqttProtocolVersion.V500;

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync();
        Server.Dispose();
    }
}
