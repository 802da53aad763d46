using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Gateway.Pipeline;
using SmartCity.IoT.Gateway.Tests.Support;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Gateway.Tests;

/// <summary>
/// Retained messages (a broker's stored copy, replayed on every subscribe) by the profile's <c>retained</c> policy, and a
/// profile's <c>source</c>. A replayed reading is stored but kept from the rule engine: staleness and hold times run on
/// receive time, so taking an old value as the device speaking now would end or postpone a "device offline" alert.
/// </summary>
public sealed class RetainedAndSourceTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly TempDir _devices = new("smartcity-devices");

    [Fact]
    public async Task A_replayed_message_of_a_skip_profile_is_dropped_counted_and_acknowledged()
    {
        await using var h = new PipelineHarness();
        var source = new QueueSource();
        var (topic, payload) = PipelineHarness.Environment("dev-r1");
        await source.SendAsync(h.Pipeline, topic, payload, replay: true);
        var (liveTopic, livePayload) = PipelineHarness.Environment("dev-r2");
        await source.SendAsync(h.Pipeline, liveTopic, livePayload);
        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);

        Assert.Contains(h.Sink.Lines, l => l.Contains("device=dev-r2", StringComparison.Ordinal));
        Assert.DoesNotContain(h.Sink.Lines, l => l.Contains("device=dev-r1", StringComparison.Ordinal));
        Assert.Equal(1, h.Get<PipelineStats>().RetainedSkippedCount);
        Assert.Equal(2, source.Acks.Count);
    }

    [Fact]
    public async Task A_replayed_reading_is_stored_but_does_not_count_as_the_device_being_heard_from()
    {
        await using var h = new PipelineHarness(CatalogWith("retained: replay"));
        var source = new QueueSource();
        var (topic, payload) = PipelineHarness.Environment("dev-s1");
        await source.SendAsync(h.Pipeline, topic, payload);
        await h.Pipeline.TickAsync(runRules: true, CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(10));
        await source.SendAsync(h.Pipeline, topic, payload.Replace("\"battery\":96", "\"battery\":95", StringComparison.Ordinal), replay: true);
        h.Time.Advance(TimeSpan.FromMinutes(6)); // 16 min after the last live reading, 6 after the replay
        await h.Pipeline.TickAsync(runRules: true, CancellationToken.None);
        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(2, h.Sink.Lines.Count(l => l.StartsWith("environment,", StringComparison.Ordinal) && l.Contains("device=dev-s1", StringComparison.Ordinal)));
        Assert.Equal(1, h.Get<PipelineStats>().RetainedReplayedCount);
        var alert = Assert.Single(h.Outbox.Committed, a => a.DeviceId == "dev-s1");
        Assert.Equal("device_offline", alert.RuleName);
    }

    [Fact]
    public async Task A_profile_that_names_its_source_takes_messages_only_from_that_source()
    {
        await using var h = new PipelineHarness(CatalogWith("source: lora"));
        var lora = new QueueSource("lora");
        var site = new QueueSource("site");
        var (topic, payload) = PipelineHarness.Environment("dev-l1");
        await lora.SendAsync(h.Pipeline, topic, payload);
        var (otherTopic, otherPayload) = PipelineHarness.Environment("dev-l2");
        await site.SendAsync(h.Pipeline, otherTopic, otherPayload);
        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);

        Assert.Contains(h.Sink.Lines, l => l.Contains("device=dev-l1", StringComparison.Ordinal));
        Assert.DoesNotContain(h.Sink.Lines, l => l.Contains("device=dev-l2", StringComparison.Ordinal));
        var record = Assert.Single(h.Get<Core.DeadLetters.DeadLetterStore>().Recent());
        Assert.Equal(nameof(DecodeError.NoMatchingProfile), record.Reason);
        Assert.Contains("belongs to source 'lora', this message came from source 'site'", record.Detail, StringComparison.Ordinal);
        Assert.Equal(["buildings/+/floors/+/env/+/telemetry", "buildings/+/floors/+/env/+/status"], h.Get<DeviceCatalog>().Decoder.Router.Subscription.FiltersFor(TopicSyntax.Mqtt, "lora").Select(f => f.Filter).Where(f => f.Contains("/env/", StringComparison.Ordinal)));
        Assert.DoesNotContain(h.Get<DeviceCatalog>().Decoder.Router.Subscription.FiltersFor(TopicSyntax.Mqtt, "site"), f => f.Filter.Contains("/env/", StringComparison.Ordinal));
    }

    public void Dispose() => _devices.Dispose();

    /// <summary>The repository's profiles, with <paramref name="line"/> added to the IES-300 indoor sensor's.</summary>
    private DeviceCatalog CatalogWith(string line)
    {
        foreach (var file in Directory.EnumerateFiles(RepoPaths.Devices, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_devices.Path, Path.GetRelativePath(RepoPaths.Devices, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var profile = Path.Combine(_devices.Path, "harbourtech", "ies-300.yaml");
        var text = File.ReadAllText(profile);
        File.WriteAllText(profile, text.Replace("\ntopics:", $"\n{line}\ntopics:", StringComparison.Ordinal));
        Assert.Contains(line, File.ReadAllText(profile), StringComparison.Ordinal);
        return DeviceCatalog.Load(_devices.Path);
    }
}
