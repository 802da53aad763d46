using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Devices;
using static SmartCity.IoT.Core.Tests.Decoding.DecoderTestKit;

namespace SmartCity.IoT.Core.Tests.Decoding;

/// <summary>Availability words beyond online/offline (Homie's $state): sleeping and states that change nothing.</summary>
public sealed class AvailabilityStateTests
{
    private static readonly AvailabilityValues Homie = new(["init", "ready"], ["disconnected", "lost"], ["sleeping"], ["alert"]);

    [Theory]
    [InlineData("ready", DeviceAvailability.Online)]
    [InlineData("init", DeviceAvailability.Online)]
    [InlineData("LOST", DeviceAvailability.Offline)]
    [InlineData("disconnected", DeviceAvailability.Offline)]
    [InlineData("sleeping", DeviceAvailability.Sleeping)]
    [InlineData("alert", DeviceAvailability.Unknown)]
    public void Each_word_maps_to_its_state(string word, DeviceAvailability expected)
    {
        var decoder = Decoder("plain/{device}", new JsonPayloadDecoder(), new AvailabilityTopic(TopicTemplate.Parse("homie/5/{device}/$state"), Homie, null));
        var result = decoder.Decode("homie/5/boiler/$state", System.Text.Encoding.UTF8.GetBytes(word), NewReading(), 1);
        Assert.True(result.IsAvailability, result.ToString());
        Assert.Equal(expected, result.Availability);
        Assert.Equal(expected == DeviceAvailability.Online, result.Online);
    }

    [Fact]
    public void An_unlisted_word_names_every_state_it_could_have_been()
    {
        var ctx = default(DecodeContext);
        Homie.Apply("rebooting"u8, ref ctx);
        Assert.Equal(DecodeError.UnknownAvailability, ctx.Error);
        Assert.Contains("sleeping (sleeping), unknown (alert)", ctx.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_state_reports_online_only_when_online()
    {
        var registry = new DeviceRegistry(1);
        var reading = NewReading();
        reading.Profile = new DeviceProfile("acme/x", "Acme", "X", "environment");
        reading.DeviceId = "d1".AsMemory();
        Assert.True(registry.TryRegister(reading, out var state));
        Assert.Equal(0, state.LastSeenUnixNs); // registered, not observed: an availability message is no reading
        Assert.Equal(DeviceAvailability.Online, state.Availability);
        state.Availability = DeviceAvailability.Sleeping;
        Assert.False(state.Online);
        state.Online = true;
        Assert.Equal(DeviceAvailability.Online, state.Availability);
        Assert.True(registry.TryFind(reading.Profile, "d1", out var found) && ReferenceEquals(found, state));
    }
}
