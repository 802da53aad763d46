using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.AspNetCore;
using MQTTnet.Protocol;
using MQTTnet.Server;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Mqtt.Tests;

/// <summary>MQTT over WebSockets (<c>ws://</c>) against MQTTnet's server hosted in ASP.NET Core on 127.0.0.1.</summary>
public sealed class WebSocketTransportTests
{
    [Theory]
    [InlineData("5")]
    [InlineData("3.1.1")]
    public async Task A_ws_url_connects_over_WebSockets_and_delivers_QoS_1_messages(string version)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Services.AddHostedMqttServer(o => o.WithoutDefaultEndpoint().WithPersistentSessions());
        builder.Services.AddMqttConnectionHandler();
        builder.Services.AddConnections();
        await using var app = builder.Build();
        app.MapConnectionHandler<MqttConnectionHandler>("/mqtt", o => o.WebSockets.SubProtocolSelector = MqttSubProtocolSelector.SelectSubProtocol);
        await app.StartAsync();
        var server = app.Services.GetRequiredService<MqttServer>();

        var options = new MqttOptions
        {
            Host = $"ws://127.0.0.1:{port}/mqtt",
            ClientId = "ws-" + Guid.NewGuid().ToString("N")[..8],
            ProtocolVersion = version,
            Topics = ["ws/#"],
        };
        var handler = new RecordingHandler();
        var run = MqttIngestClientTests.Start(options, handler);
        await using (run)
        {
            await run.WaitConnectedAsync();
            await server.InjectApplicationMessage(new InjectedMqttApplicationMessage(
                new MqttApplicationMessageBuilder().WithTopic("ws/dev1/telemetry").WithPayload("over websockets").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()));
            await handler.WaitForAsync(m => m.Payload == "over websockets", "a message over WebSockets");
            Assert.Equal(version, run.Client.ProtocolText);
            Assert.Equal($"ws://127.0.0.1:{port}/mqtt", run.Client.Health.Endpoint);
            Assert.Equal(1, run.Client.ReceivedAtLeastOnce);
        }

        await app.StopAsync();
    }
}
