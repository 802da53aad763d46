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

    [Fact]
    public void Tls_settings_of_a_listed_source_are_named_with_its_place_and_the_embedded_address_must_be_an_address()
    {
        var missing = Path.Combine(Path.GetTempPath(), "smartcity-no-such-" + Guid.NewGuid().ToString("N") + ".pem");
        var options = new MqttOptions
        {
            Sources =
            [
                new MqttOptions { Name = "site", Host = "broker", ClientId = "a", UseTls = true, Tls = new() { CaFile = missing, PinnedSha256 = ["abc"] } },
                new MqttOptions { Name = "plain", Host = "broker", ClientId = "b", Tls = new() { ServerName = "x" } },
                new MqttOptions { Name = "lax", Host = "broker", ClientId = "c", UseTls = true, Username = "u", Password = "p", Tls = new() { InsecureSkipVerify = true } },
            ],
        };

        var errors = Errors(options);
        Assert.Contains($"Mqtt:Sources:0:Tls:CaFile '{missing}' does not exist.", errors);
        Assert.Contains(errors, e => e.StartsWith("Mqtt:Sources:0:Tls:PinnedSha256:0 'abc' is not a SHA-256 value", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Mqtt:Sources:1:Tls is set but Mqtt:Sources:1:UseTls is off", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Mqtt:Sources:2:Tls:InsecureSkipVerify with a password", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.StartsWith("Mqtt:EmbeddedBindAddress", StringComparison.Ordinal)); // no embedded broker with listed sources
        Assert.Contains("Mqtt:EmbeddedBindAddress 'everywhere' must be an IPv4 or IPv6 address, or 'localhost' (both loopback addresses).", Errors(new MqttOptions { EmbeddedBindAddress = "everywhere" }));
        Assert.Empty(Errors(new MqttOptions { EmbeddedBindAddress = "localhost" }));
        Assert.Empty(Errors(new MqttOptions { EmbeddedBindAddress = "::1" }));
    }

    [Theory]
    [InlineData("sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", true)]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", true)]
    [InlineData("E3:B0:C4:42:98:FC:1C:14:9A:FB:F4:C8:99:6F:B9:24:27:AE:41:E4:64:9B:93:4C:A4:95:99:1B:78:52:B8:55", true)]
    [InlineData("e3b0c442", false)]
    [InlineData("sha256/not base64", false)]
    public void Pins_are_read_as_hex_or_base64_of_32_bytes(string text, bool valid)
    {
        Assert.Equal(valid, SmartCity.IoT.Core.Tls.TlsPin.TryParse(text, out var pin));
        if (valid)
        {
            // All three spell SHA-256 of the empty input.
            Assert.Equal(System.Security.Cryptography.SHA256.HashData([]), pin);
        }
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
