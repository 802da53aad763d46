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

        var reading = catalog.CreateReading();
        var result = catalog.Decode(sample.Topic, sample.Payload, reading, sample.ReceivedUnixNs);
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

        // The line the real encoder writes, compared field by field with the sample's expectation.
        var buffer = new ArrayBufferWriter<byte>();
        Assert.True(LineProtocolWriter.WriteReading(buffer, reading, catalog.Vocabulary));
        var written = Encoding.UTF8.GetString(buffer.WrittenSpan);
        Assert.EndsWith("\n", written, StringComparison.Ordinal);
        var diffs = LineProtocolPoint.Parse(sample.Expect!).DiffersFrom(LineProtocolPoint.Parse(written));
        Assert.True(diffs.Count == 0, string.Join("; ", diffs) + " | actual: " + written);
        Assert.Equal(sample.ExpectRejected.Count > 0, result.RejectedFields > 0);
    }
}
