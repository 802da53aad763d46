using FsCheck;
using FsCheck.Xunit;

namespace SmartCity.IoT.Devices.Tests;

/// <summary>Bad input never throws out of the decoder: it always comes back as a result with a reason.</summary>
public sealed class RobustnessTests
{
    private static readonly string[] Topics = CatalogFixture.Catalog.LoadedProfiles.SelectMany(p => p.Samples).Select(s => s.Topic).Distinct().ToArray();

    [Property(MaxTest = 3000)]
    public bool Random_bytes_on_any_known_topic_give_a_result(byte[] payload, int topicSeed)
    {
        var catalog = CatalogFixture.Catalog;
        var topic = Topics[(int)((uint)topicSeed % (uint)Topics.Length)];
        var result = catalog.Decode(topic, payload ?? [], catalog.CreateReading(), 1_763_856_000_000_000_000);
        return result.IsSuccess || !string.IsNullOrEmpty(result.Detail);
    }

    [Fact]
    public void Every_truncation_and_byte_flip_of_every_sample_gives_a_result()
    {
        var catalog = CatalogFixture.Catalog;
        var reading = catalog.CreateReading();
        var checkedCount = 0;
        foreach (var sample in catalog.LoadedProfiles.SelectMany(p => p.Samples))
        {
            var payload = sample.Payload;
            for (var length = 0; length <= payload.Length; length++)
            {
                var result = catalog.Decode(sample.Topic, payload.AsSpan(0, length), reading, 1);
                Assert.True(result.IsSuccess || !string.IsNullOrEmpty(result.Detail), $"{sample}: truncated to {length}");
                checkedCount++;
            }

            var flipped = payload.ToArray();
            for (var i = 0; i < flipped.Length; i++)
            {
                flipped[i] ^= 0x5A;
                var result = catalog.Decode(sample.Topic, flipped, reading, 1);
                Assert.True(result.IsSuccess || !string.IsNullOrEmpty(result.Detail), $"{sample}: byte {i} flipped");
                flipped[i] ^= 0x5A;
                checkedCount++;
            }
        }

        Assert.True(checkedCount > 1000);
    }

    [Fact]
    public void Deeply_nested_json_is_refused_cleanly()
    {
        var catalog = CatalogFixture.Catalog;
        var payload = new string('[', 500) + new string(']', 500);
        var result = catalog.Decode("buildings/hq/floors/3/env/ies-0042/telemetry", System.Text.Encoding.UTF8.GetBytes(payload), catalog.CreateReading(), 1);
        Assert.Equal(Core.Decoding.DecodeError.MalformedPayload, result.Error);
    }
}
