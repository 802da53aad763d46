using System.Buffers;
using System.Text;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Gateway.Commands;
using SmartCity.IoT.Gateway.Tests.Support;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Gateway.Tests.Places;

public sealed class PlacementTests
{
    private const string Model = """
        places:
          - id: hq
            kind: Building
            children:
              - { id: hq-3, kind: Floor, tag: "3", children: [ { id: hq-3-east, kind: HVAC_Zone, tag: east, devices: [ies-listed] } ] }
              - { id: hq-4, kind: Floor, tag: "4" }
          - { id: annex, kind: Building }
        placement:
          - { match: { family: environment, device: "ies-east-*" }, place: hq-3-east }
          - { match: { building: hq, floor: "*" }, place: "hq-{floor}" }
          - { match: { building: annex }, place: annex }
        """;

    private static InboundMessage Message(string device, string building = "hq", int i = 0)
    {
        var (topic, payload) = PipelineHarness.Environment(device, building: building);
        return new InboundMessage(topic, new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(payload)), 1_763_884_800_000_000_000 + i, new DeliveryToken(new QueueSource(), null, i));
    }

    [Fact]
    public async Task Readings_carry_the_place_tags_of_the_first_matching_rule_over_the_topic_tags()
    {
        var places = new FixedModelSource(FixedModelSource.Parse(Model).Model);
        await using var h = new PipelineHarness(places);
        // PipelineHarness.Environment publishes on floor 3 of the building given.
        foreach (var m in new[] { Message("ies-east-1"), Message("ies-listed", i: 1), Message("ies-other", i: 2), Message("ies-annex", "annex", 3), Message("ies-nowhere", "depot", 4) })
        {
            await h.Pipeline.OnMessageAsync(m, CancellationToken.None);
        }

        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        string Line(string device) => h.Sink.Lines.Single(l => l.Contains($"device={device},", StringComparison.Ordinal) || l.Contains($"device={device} ", StringComparison.Ordinal));
        Assert.Contains("building=hq,device=ies-east-1,floor=3,", Line("ies-east-1"));
        Assert.Contains("place=hq-3-east,zone=east", Line("ies-east-1"));
        Assert.Contains("place=hq-3-east,zone=east", Line("ies-listed"));
        Assert.Contains("place=hq-3 ", Line("ies-other"));
        Assert.DoesNotContain("zone=", Line("ies-other"));
        Assert.Contains("place=annex", Line("ies-annex"));
        Assert.DoesNotContain("place=", Line("ies-nowhere"));

        // The device's tags (the status page, the rule engine's labels) carry the place too; placement matched the topic's.
        var registry = h.Get<Core.Devices.DeviceRegistry>();
        var east = registry.Snapshot().Single(d => d.DeviceId == "ies-east-1");
        Assert.Contains(new KeyValuePair<string, string>("place", "hq-3-east"), east.Tags);
        Assert.DoesNotContain(east.TopicTags, t => t.Key == "place");
    }

    [Fact]
    public async Task A_new_model_moves_a_device_on_its_next_reading()
    {
        var places = new FixedModelSource(FixedModelSource.Parse(Model).Model);
        await using var h = new PipelineHarness(places);
        await h.Pipeline.OnMessageAsync(Message("ies-other"), CancellationToken.None);
        places.Replace(FixedModelSource.Parse(Model.Replace("place: \"hq-{floor}\"", "place: hq-4", StringComparison.Ordinal)).Model);
        await h.Pipeline.OnMessageAsync(Message("ies-other", i: 1), CancellationToken.None);
        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        var lines = h.Sink.Lines.Where(l => l.Contains("device=ies-other", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Contains("place=hq-3 ", lines[0]);
        Assert.Contains("floor=4,", lines[1]);
        Assert.Contains("place=hq-4 ", lines[1]);
    }

    [Fact]
    public async Task A_placed_reading_allocates_nothing_in_steady_state()
    {
        var places = new FixedModelSource(FixedModelSource.Parse(Model).Model);
        await using var h = new PipelineHarness(places, o => o.BatchSize = 100_000);
        var messages = Enumerable.Range(0, 200).Select(i => Message(i % 2 == 0 ? $"ies-east-{i % 50}" : $"ies-{i % 50}", i % 3 == 0 ? "annex" : "hq", i)).ToArray();
        for (var round = 0; round < 20; round++)
        {
            foreach (var m in messages)
            {
                await h.Pipeline.OnMessageAsync(m, CancellationToken.None);
            }
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < 5; round++)
        {
            foreach (var m in messages)
            {
                Assert.True(h.Pipeline.OnMessageAsync(m, CancellationToken.None).IsCompletedSuccessfully);
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(50, h.Get<Core.Devices.DeviceRegistry>().Snapshot().Count(d => places.Current.PlaceOf(d) is not null));
    }

    [Fact]
    public void The_shipped_model_validates_and_places_every_simulated_device()
    {
        var output = new StringWriter();
        var code = ModelCommandLine.Validate(Path.Combine(RepoPaths.Config, "buildings.yaml"), RepoPaths.Devices, RepoPaths.Rules, 3, output);
        Assert.True(code == 0, output.ToString());
        Assert.DoesNotContain("unplaced", output.ToString(), StringComparison.Ordinal);
        var unplaced = new StringWriter();
        Assert.Equal(0, ModelCommandLine.Unplaced(Path.Combine(RepoPaths.Config, "buildings.yaml"), RepoPaths.Devices, 3, unplaced));
        Assert.Contains("simulated devices are placed", unplaced.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_reports_placement_terms_no_profile_has_as_errors()
    {
        using var dir = new TempDir("model-validate");
        var file = dir.Sub("m.yaml");
        File.WriteAllText(file, """
            places:
              - { id: hq, kind: Building }
            placement:
              - { match: { family: enviroment }, place: hq }
              - { match: { flor: "3" }, place: hq }
              - { match: { family: parking }, place: "hq-{flooor}" }
            """);
        var output = new StringWriter();
        Assert.Equal(1, ModelCommandLine.Validate(file, RepoPaths.Devices, RepoPaths.Rules, 3, output));
        var text = output.ToString();
        Assert.Contains($"{file}:4:5: error: match family 'enviroment' names no family of any profile (did you mean 'environment'?)", text);
        Assert.Contains($"{file}:5:5: error: match tag 'flor' is a tag no profile gives (did you mean 'floor'?)", text);
        Assert.Contains($"{file}:6:5: error: the place template 'hq-{{flooor}}' uses tag 'flooor'", text);
        Assert.Contains("warning: simulated device", text);
    }
}
