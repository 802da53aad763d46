using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Devices.Tests;

/// <summary>Invariants of the devices/ catalog, in the spirit of TTN's device repository checks.</summary>
public sealed class CatalogTests
{
    [Fact]
    public void Devices_folder_loads_without_errors()
    {
        Assert.True(CatalogFixture.Errors.Count == 0, string.Join(Environment.NewLine, CatalogFixture.Errors));
        var catalog = DeviceCatalog.Load(RepoPaths.Devices);
        Assert.Equal(Enumerable.Range(0, catalog.Profiles.Count), catalog.Profiles.Select(p => p.Index));
    }

    [Theory]
    [InlineData("environment")]
    [InlineData("aircon")]
    [InlineData("occupancy")]
    [InlineData("inspection")]
    [InlineData("water_quality")]
    [InlineData("construction")]
    [InlineData("parking")]
    [InlineData("toilet")]
    public void Every_pavilion_family_has_a_profile(string family) =>
        Assert.Contains(CatalogFixture.Catalog.Profiles, p => p.Family == family);

    [Theory]
    [InlineData("dragino/lht65", "v3/")]               // The Things Stack v3, frm_payload by binary layout
    [InlineData("milesight/am319-ttn", "v3/")]         // The Things Stack v3, decoded_payload
    [InlineData("aqara/wsdcgq11lm", "zigbee2mqtt/")]   // Zigbee2MQTT with availability
    [InlineData("tasmota/scd40", "tele/")]             // Tasmota SENSOR with LWT
    [InlineData("milesight/am319", "milesight/")]      // Milesight AM300 decoded JSON
    [InlineData("shelly/plus-ht", "{device}/events/rpc")] // Shelly Gen2 NotifyStatus
    public void Every_ecosystem_has_an_example_profile(string id, string topicStart)
    {
        Assert.True(CatalogFixture.Catalog.TryGetProfile(id, out var profile));
        Assert.StartsWith(topicStart, profile.Decoding.Topics[0].Template, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_profile_has_two_valid_samples_one_invalid_and_the_schema_comment()
    {
        foreach (var loaded in CatalogFixture.Catalog.LoadedProfiles)
        {
            Assert.True(loaded.Samples.Count(s => s.Expect is not null) >= 2, loaded.Profile.Id);
            Assert.Contains(loaded.Samples, s => s.ExpectError is not null);
            var firstLine = File.ReadLines(loaded.FullPath).First();
            Assert.Equal("# yaml-language-server: $schema=../schema/device-profile.schema.json", firstLine);
            Assert.Equal(Path.GetRelativePath(RepoPaths.Devices, Path.ChangeExtension(loaded.FullPath, null)).Replace('\\', '/'), loaded.Profile.Id);
        }
    }

    [Fact]
    public void Subscription_filters_cover_telemetry_and_availability()
    {
        var filters = CatalogFixture.Catalog.SubscriptionFilters;
        Assert.Contains("buildings/+/floors/+/env/+/telemetry", filters);
        Assert.Contains("zigbee2mqtt/+/+/+/availability", filters);
        Assert.Contains("tele/+/LWT", filters);
        Assert.Contains("+/events/rpc", filters);
        Assert.Equal(filters.Count, filters.Distinct().Count());
    }

    [Fact]
    public void Tag_values_slice_the_topic_string()
    {
        var catalog = CatalogFixture.Catalog;
        var reading = catalog.CreateReading();
        const string topic = "buildings/hq/floors/3/env/ies-0042/telemetry";
        var result = catalog.Decode(topic, """{"climate":{"t":21.5}}"""u8, reading, 1_763_856_000_000_000_000);
        Assert.True(result.IsSuccess, result.ToString());
        foreach (var tag in reading.Tags)
        {
            Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetString(tag.Value, out var text, out _, out _));
            Assert.True(ReferenceEquals(text, topic) || ReferenceEquals(text, reading.Profile!.Id), tag.Key);
        }

        Assert.Equal("ies-0042", reading.DeviceId.ToString());
        Assert.True(reading.TryGetTag("device", out var device) && device.Span.SequenceEqual("ies-0042"));
        Assert.True(reading.TryGetTag("model", out var model) && model.Span.SequenceEqual("harbourtech/ies-300"));
    }

    [Fact]
    public void Unknown_topic_oversized_and_malformed_payloads_give_reasons()
    {
        var catalog = CatalogFixture.Catalog;
        var reading = catalog.CreateReading();
        var unknown = catalog.Decode("lobby/screens/1", "{}"u8, reading, 1);
        Assert.Equal(DecodeError.NoMatchingProfile, unknown.Error);
        Assert.Contains("lobby/screens/1", unknown.Detail, StringComparison.Ordinal);
        Assert.Equal("no_matching_profile", unknown.ReasonCode);

        // sitewatch/csm-3 limits payloads to 2048 bytes.
        var big = new byte[2049];
        Array.Fill(big, (byte)' ');
        var tooLarge = catalog.Decode("sites/kai-tak-p3/monitors/csm-0012/data", big, reading, 1);
        Assert.Equal(DecodeError.PayloadTooLarge, tooLarge.Error);
        Assert.Contains("2049 bytes", tooLarge.Detail, StringComparison.Ordinal);
        Assert.Equal("sitewatch/csm-3", reading.Profile!.Id);

        var global = new byte[MessageDecoder.DefaultMaxPayloadBytes + 1];
        Assert.Equal(DecodeError.PayloadTooLarge, catalog.Decode("buildings/hq/floors/3/env/ies-0042/telemetry", global, reading, 1).Error);

        var malformed = catalog.Decode("buildings/hq/floors/3/env/ies-0042/telemetry", "{\"climate\":{\"t\":21.5}"u8, reading, 1);
        Assert.Equal(DecodeError.MalformedPayload, malformed.Error);
        Assert.Contains("invalid JSON", malformed.Detail, StringComparison.Ordinal);
    }
}
