namespace SmartCity.IoT.Devices.Tests;

/// <summary>The hot path allocates nothing for a known topic and a good payload (JSON, JSON + binary frame, raw binary, value).</summary>
public sealed class AllocationTests
{
    [Theory]
    [InlineData("harbourtech/ies-300", "office morning")]
    [InlineData("harbourtech/acf-200", "cooling on low fan")]
    [InlineData("dragino/lht65", "office uplink")]
    [InlineData("lionrock/om-100", "meeting room in use")]
    [InlineData("aquaguard/wq-50", "ph in a tank")]
    [InlineData("shelly/plus-ht", "shelly docs temperature notification")]
    [InlineData("tasmota/scd40", "tasmota docs example")]
    [InlineData("parkbot/agv-p1", "car parked, agv idle")]
    [InlineData("aqara/wsdcgq11lm", "device went offline")]
    [InlineData("harbourtech/pem-20", "the same records in another order")]
    public void Decoding_a_good_payload_allocates_nothing(string profileId, string sampleName)
    {
        var catalog = CatalogFixture.Catalog;
        var sample = catalog.LoadedProfiles.Single(p => p.Profile.Id == profileId).Samples.Single(s => s.Name == sampleName);
        var reading = catalog.CreateReading();
        var payload = sample.Payload;
        var topic = sample.Topic;
        Assert.Equal(0, AllocatedAfterWarmUp(() => catalog.Decode(topic, payload, reading, sample.ReceivedUnixNs).IsSuccess));
        Assert.True(reading.FieldCount > 0 || catalog.Decode(topic, payload, reading, 0).IsAvailability);
    }

    [Theory]
    [InlineData("senml/environment", "one device at one time")]
    [InlineData("senml/environment", "three samples in one pack, times relative to the base time")]
    [InlineData("senml/environment", "two devices in one pack, base value and kelvin")]
    [InlineData("rackwatch/rt-4", "two probes and the battery")]
    [InlineData("airsense/pm-1", "units as the firmware writes them")]
    public void Decoding_a_message_with_several_readings_allocates_nothing(string profileId, string sampleName)
    {
        var catalog = CatalogFixture.Catalog;
        var sample = catalog.LoadedProfiles.Single(p => p.Profile.Id == profileId).Samples.Single(s => s.Name == sampleName);
        var readings = catalog.CreateReadingSet();
        Assert.Equal(0, AllocatedAfterWarmUp(() => catalog.Decode(sample.Topic, sample.Payload, readings, sample.ReceivedUnixNs).IsSuccess));
        Assert.Equal(sample.Expect!.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, catalog.Decode(sample.Topic, sample.Payload, readings, sample.ReceivedUnixNs).Readings);
    }

    /// <summary>Bytes allocated by 5000 calls of <paramref name="decode"/> after 200 that must succeed.</summary>
    private static long AllocatedAfterWarmUp(Func<bool> decode)
    {
        for (var i = 0; i < 200; i++)
        {
            Assert.True(decode());
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5000; i++)
        {
            decode();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Theory]
    [InlineData("lionrock/clm-4", "a full uplink", 3)]
    [InlineData("lionrock/clm-4", "the same channels in another order", 3)]
    [InlineData("harbourtech/pem-20", "every record in the documented order", 1)]
    public void Decoding_a_record_list_into_several_readings_allocates_nothing(string profileId, string sampleName, int readingCount)
    {
        var catalog = CatalogFixture.Catalog;
        var sample = catalog.LoadedProfiles.Single(p => p.Profile.Id == profileId).Samples.Single(s => s.Name == sampleName);
        var readings = catalog.CreateReadingSet();
        for (var i = 0; i < 200; i++)
        {
            Assert.True(catalog.Decoder.Decode(sample.Topic, sample.Payload, readings, sample.ReceivedUnixNs).IsSuccess);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5000; i++)
        {
            catalog.Decoder.Decode(sample.Topic, sample.Payload, readings, sample.ReceivedUnixNs);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(readingCount, catalog.Decoder.Decode(sample.Topic, sample.Payload, readings, sample.ReceivedUnixNs).Readings);
    }
}
