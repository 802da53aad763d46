using MQTTnet;
using MQTTnet.Formatter;

namespace SmartCity.IoT.Mqtt.Tests;

/// <summary>Mqtt options checked on start, and CONNACK codes in plain words.</summary>
public sealed class MqttOptionsValidatorTests
{
    private static IReadOnlyList<string> Errors(MqttOptions options) =>
        new MqttOptionsRulesValidator().Validate(null, options).Failures?.ToList() ?? [];

    [Fact]
    public void The_single_section_is_one_source_named_mqtt_and_passes()
    {
        var options = new MqttOptions { Host = "broker", ProtocolVersion = "3.1.1" };
        Assert.Empty(Errors(options));
        Assert.Equal("mqtt", Assert.Single(options.Connections()).Name);
        Assert.False(new MqttOptions { Sources = [new MqttOptions { Name = "a", Host = "x" }] }.UsesEmbeddedBroker);
    }

    [Fact]
    public void Each_listed_source_is_checked_where_it_is()
    {
        var options = new MqttOptions
        {
            Host = "also-set",
            Sources =
            [
                new MqttOptions { Name = "lora", Host = "ttn.example", ProtocolVersion = "4", ClientId = "gw" },
                new MqttOptions { Name = "lora", Host = "ttn.example", ClientId = "gw" },
                new MqttOptions { Name = "Bad Name", Host = "", Port = 0 },
            ],
        };

        var errors = Errors(options);
        Assert.Contains(errors, e => e.StartsWith("Mqtt:Host and Mqtt:Sources are both set", StringComparison.Ordinal));
        Assert.Contains("Mqtt:Sources:0:ProtocolVersion '4' must be auto, 5 or 3.1.1.", errors);
        Assert.Contains(errors, e => e.StartsWith("Mqtt:Sources:1:Name 'lora' is also the name of Mqtt:Sources:0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Mqtt:Sources:1:ClientId 'gw' is used by source 'lora' on the same broker", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Mqtt:Sources:2: ", StringComparison.Ordinal) && e.Contains("Port", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Mqtt:Sources:2:Name 'Bad Name' must be", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Mqtt:Sources:2:Host is empty", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(MqttClientConnectResultCode.BadUserNameOrPassword, "V311", "username or password rejected")]
    [InlineData(MqttClientConnectResultCode.ClientIdentifierNotValid, "V500", "client id rejected")]
    [InlineData(MqttClientConnectResultCode.UnsupportedProtocolVersion, "V500", "refuses MQTT 5: set Mqtt:ProtocolVersion to auto or 3.1.1")]
    [InlineData((MqttClientConnectResultCode)1, "V500", "speaks MQTT 3.1.1 only")]
    [InlineData(MqttClientConnectResultCode.ServerUnavailable, "V311", "not taking connections now")]
    [InlineData(MqttClientConnectResultCode.Banned, "V500", "has banned this client")]
    public void Connect_refusals_say_what_to_change(MqttClientConnectResultCode code, string version, string expected)
    {
        var problem = ConnectErrors.FromResult(new MqttClientConnectResult { ResultCode = code }, Enum.Parse<MqttProtocolVersion>(version), "b:1883");
        Assert.Contains(expected, problem.Text, StringComparison.Ordinal);
    }
}
