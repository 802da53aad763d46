using System.Buffers;
using System.Text;
using SmartCity.IoT.Core.LineProtocol;
using SmartCity.IoT.Devices.Samples;

namespace SmartCity.IoT.Devices.Tests;

/// <summary>Every sample of every profile in devices/ is one test case, named "vendor/model: sample name".</summary>
public sealed class ProfileSampleTests
{
    public static TheoryData<SampleCase> Samples => SampleCase.All();

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_decodes_to_its_expectation(SampleCase @case)
    {
        var catalog = CatalogFixture.Catalog;
        var loaded = catalog.LoadedProfiles.Single(p => p.Profile.Id == @case.ProfileId);
        var sample = loaded.Samples.Single(s => s.Name == @case.SampleName);
        var outcome = SampleRunner.Run(sample, catalog.Decoder, catalog.Vocabulary);
        Assert.True(outcome.Passed, outcome.ToError().ToString());
        if (sample.CodecExample is not null || sample.State is not null)
        {
            return; // a codec example has no topic; a Sparkplug sample depends on the samples it comes after (the runner replays them)
        }

        var readings = catalog.CreateReadingSet();
        var result = catalog.Decode(sample.Topic, sample.Payload, readings, sample.ReceivedUnixNs);
        var reading = readings.First;
        if (sample.ExpectError is not null)
        {
            Assert.False(result.IsSuccess);
            Assert.False(string.IsNullOrWhiteSpace(result.Detail));
            return;
        }

        Assert.True(result.IsSuccess, result.ToString());
        if (sample.ExpectAvailability is { } state)
        {
            Assert.True(result.IsAvailability);
            Assert.Equal(state, result.Availability);
            Assert.Equal(@case.ProfileId, reading.Profile!.Id);
            Assert.False(reading.DeviceId.IsEmpty);
            return;
        }

        // The lines the real encoder writes (one per reading), compared field by field with the sample's expectation.
        var expected = sample.Expect!.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var buffer = new ArrayBufferWriter<byte>();
        for (var i = 0; i < readings.Count; i++)
        {
            if (readings[i].FieldCount > 0)
            {
                Assert.True(LineProtocolWriter.WriteReading(buffer, readings[i], catalog.Vocabulary));
            }
        }

        var written = Encoding.UTF8.GetString(buffer.WrittenSpan).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected.Length, result.Readings);
        Assert.Equal(expected.Length, written.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var diffs = LineProtocolPoint.Parse(expected[i]).DiffersFrom(LineProtocolPoint.Parse(written[i]));
            Assert.True(diffs.Count == 0, string.Join("; ", diffs) + " | actual: " + written[i]);
        }

        Assert.Equal(sample.ExpectRejected.Count > 0, result.RejectedFields > 0);
    }
}
