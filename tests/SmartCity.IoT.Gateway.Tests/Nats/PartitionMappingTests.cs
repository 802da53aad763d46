using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Gateway.Nats;

namespace SmartCity.IoT.Gateway.Tests.Nats;

/// <summary>The nats-server mapping written from topic templates: one line per pattern, partitioned by the right token.</summary>
public sealed class PartitionMappingTests
{
    [Fact]
    public void Each_named_segment_is_a_wildcard_and_the_device_token_picks_the_partition()
    {
        var mapping = PartitionMapping.Build([T("harbourtech/ies-300", "buildings/{building}/floors/{floor}/env/{device}/telemetry")], 8);

        var line = Assert.Single(mapping.Mappings);
        Assert.Equal("buildings.*.floors.*.env.*.telemetry", line.Pattern);
        Assert.Equal("p.{{partition(8,3)}}.buildings.{{wildcard(1)}}.floors.{{wildcard(2)}}.env.{{wildcard(3)}}.telemetry", line.Destination);
        Assert.Empty(mapping.Notes);
    }

    [Fact]
    public void A_device_id_named_by_the_profile_and_the_prefix_are_used()
    {
        var mapping = PartitionMapping.Build([T("acme/node", "plant/{line}/{node}/{sensor}", deviceId: "node")], 3, prefix: "part");

        Assert.Equal("part.{{partition(3,2)}}.plant.{{wildcard(1)}}.{{wildcard(2)}}.{{wildcard(3)}}", Assert.Single(mapping.Mappings).Destination);
    }

    [Fact]
    public void By_a_place_segment_partitions_by_it_and_profiles_without_it_fall_back_to_the_device_id_with_a_note()
    {
        var mapping = PartitionMapping.Build(
        [
            T("harbourtech/ies-300", "buildings/{building}/floors/{floor}/env/{device}/telemetry"),
            T("tasmota/scd40", "tele/{device}/SENSOR"),
        ], 4, by: "floor");

        Assert.Equal("p.{{partition(4,2)}}.buildings.{{wildcard(1)}}.floors.{{wildcard(2)}}.env.{{wildcard(3)}}.telemetry", mapping.Mappings[0].Destination);
        Assert.Equal("p.{{partition(4,1)}}.tele.{{wildcard(1)}}.SENSOR", mapping.Mappings[1].Destination);
        var note = Assert.Single(mapping.Notes);
        Assert.Contains("devices/tasmota/scd40.yaml", note, StringComparison.Ordinal);
        Assert.Contains("tele/{device}/SENSOR", note, StringComparison.Ordinal);
        Assert.Contains("{floor}", note, StringComparison.Ordinal);
    }

    [Fact]
    public void The_availability_template_is_mapped_and_keyed_by_the_same_token_as_the_readings()
    {
        var mapping = PartitionMapping.Build(
        [
            T("acme/env", "site/{building}/{device}/data"),
            T("acme/env", "site/{device}/online", availability: true),
        ], 4, by: "building");

        // The availability topic has no {building}: the whole profile goes by the device id, or a device's online state
        // and its readings could land on two instances.
        Assert.Equal(["p.{{partition(4,2)}}.site.{{wildcard(1)}}.{{wildcard(2)}}.data", "p.{{partition(4,1)}}.site.{{wildcard(1)}}.online"], mapping.Mappings.Select(m => m.Destination));
        Assert.Equal(PartitionOf(mapping, "site.hq.ies-7.data"), PartitionOf(mapping, "site.ies-7.online"));
        var note = Assert.Single(mapping.Notes);
        Assert.Contains("availability site/{device}/online", note, StringComparison.Ordinal);
        Assert.Contains("acme/env's templates are partitioned by the device id", note, StringComparison.Ordinal);

        var writer = new StringWriter();
        mapping.WriteConfig(writer);
        Assert.Contains("# acme/env (devices/acme/env.yaml): availability site/{device}/online\n  \"site.*.online\"", writer.ToString().ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Profiles_sharing_a_pattern_get_one_line_naming_both()
    {
        var mapping = PartitionMapping.Build(
        [
            T("acme/a", "zigbee2mqtt/{building}/{floor}/{device}"),
            T("acme/b", "zigbee2mqtt/{site}/{level}/{dev}"),
        ], 4);

        var line = Assert.Single(mapping.Mappings);
        Assert.Equal(["acme/a", "acme/b"], line.Sources.Select(s => s.Profile));
        Assert.Empty(mapping.Notes);
        var text = Config(mapping);
        Assert.Contains("# acme/a (devices/acme/a.yaml): zigbee2mqtt/{building}/{floor}/{device}", text, StringComparison.Ordinal);
        Assert.Contains("# acme/b (devices/acme/b.yaml): zigbee2mqtt/{site}/{level}/{dev}", text, StringComparison.Ordinal);
        Assert.Equal(1, text.Split('\n').Count(l => l.Contains("\"zigbee2mqtt.*.*.*\"", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_same_pattern_keyed_by_another_token_is_written_once_and_named_in_a_note()
    {
        var mapping = PartitionMapping.Build(
        [
            T("acme/a", "x/{device}/{floor}"),
            T("acme/b", "x/{floor}/{device}"),
        ], 4);

        Assert.Equal("p.{{partition(4,1)}}.x.{{wildcard(1)}}.{{wildcard(2)}}", Assert.Single(mapping.Mappings).Destination);
        var note = Assert.Single(mapping.Notes);
        Assert.StartsWith("devices/acme/b.yaml: note: x/{floor}/{device}:", note, StringComparison.Ordinal);
        Assert.Contains("acme/a", note, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlapping_patterns_with_different_partition_tokens_are_noted_and_with_the_same_token_are_not()
    {
        var split = PartitionMapping.Build([T("acme/a", "a/{device}/c"), T("acme/b", "a/b/{device}")], 4);
        Assert.Equal(2, split.Mappings.Count);
        var note = Assert.Single(split.Notes);
        Assert.Contains("'a.b.*' overlaps 'a.*.c'", note, StringComparison.Ordinal);
        Assert.Contains("devices/acme/b.yaml", note, StringComparison.Ordinal);
        Assert.Contains("devices/acme/a.yaml", note, StringComparison.Ordinal);

        var same = PartitionMapping.Build([T("acme/a", "a/{device}/c"), T("acme/b", "a/{device}/{field}")], 4);
        Assert.Equal(2, same.Mappings.Count);
        Assert.Empty(same.Notes);
    }

    [Theory]
    [InlineData("spBv1.0/{group}/{device}", "'.'")]
    [InlineData("my site/{device}", "space")]
    [InlineData("a/*/{device}", "wildcard")]
    public void A_template_nats_server_cannot_carry_is_left_out_with_a_note(string template, string why)
    {
        var mapping = PartitionMapping.Build([T("acme/odd", template), T("acme/ok", "ok/{device}")], 4);

        Assert.Equal("ok.*", Assert.Single(mapping.Mappings).Pattern);
        var note = Assert.Single(mapping.Notes);
        Assert.StartsWith($"devices/acme/odd.yaml: note: {template}:", note, StringComparison.Ordinal);
        Assert.Contains(why, note, StringComparison.Ordinal);
        Assert.Contains("not ingested", note, StringComparison.Ordinal);
    }

    [Fact]
    public void An_at_sign_in_a_level_is_mapped_as_it_is()
    {
        // nats-server 2.9 clusters cut such subjects at the '@' across a route; the NATS source puts them back together.
        var mapping = PartitionMapping.Build([T("dragino/lht65", "v3/pavilion-lht65@ttn/devices/{device}/up")], 4);

        Assert.Equal("p.{{partition(4,1)}}.v3.pavilion-lht65@ttn.devices.{{wildcard(1)}}.up", Assert.Single(mapping.Mappings).Destination);
        Assert.Empty(mapping.Notes);
    }

    [Fact]
    public void A_leading_wildcard_is_mapped_with_a_note_and_a_profile_of_another_source_is_left_out()
    {
        var mapping = PartitionMapping.Build(
        [
            T("shelly/plus-ht", "{device}/events/rpc"),
            new MappingTemplate("acme/ttn", "devices/acme/ttn.yaml", TopicTemplate.Parse("ttn/{device}/up"), Source: "lorawan"),
        ], 4);

        Assert.Equal("*.events.rpc", Assert.Single(mapping.Mappings).Pattern);
        Assert.Equal(2, mapping.Notes.Count);
        Assert.Contains(mapping.Notes, n => n.Contains("starts with a wildcard", StringComparison.Ordinal) && n.Contains("{device}/events/rpc", StringComparison.Ordinal));
        Assert.Contains(mapping.Notes, n => n.Contains("source 'lorawan'", StringComparison.Ordinal) && n.Contains("devices/acme/ttn.yaml", StringComparison.Ordinal));
    }

    [Fact]
    public void The_config_block_is_a_mappings_map_with_a_comment_before_every_line()
    {
        var text = Config(PartitionMapping.Build([T("a/one", "one/{device}"), T("a/two", "two/{device}/{field}")], 2));
        var lines = text.TrimEnd('\n').Split('\n');

        Assert.Equal("mappings = {", lines[0]);
        Assert.Equal("}", lines[^1]);
        var entries = lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("  \"", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.StartsWith("  # ", lines[e.i - 1], StringComparison.Ordinal));
        Assert.Equal("  \"two.*.*\": \"p.{{partition(2,1)}}.two.{{wildcard(1)}}.{{wildcard(2)}}\"", entries[1].l);
    }

    [Fact]
    public void By_a_segment_no_template_has_or_by_field_is_refused_naming_the_segments()
    {
        MappingTemplate[] templates = [T("a/one", "b/{building}/{floor}/{device}")];

        Assert.Null(PartitionMapping.CheckBy("floor", templates));
        var typo = PartitionMapping.CheckBy("flor", templates);
        Assert.NotNull(typo);
        Assert.Contains("floor", typo, StringComparison.Ordinal);
        Assert.Contains("building, device, floor", typo, StringComparison.Ordinal);
        Assert.Contains("field", PartitionMapping.CheckBy("field", templates), StringComparison.Ordinal);
    }

    private static MappingTemplate T(string profile, string template, string? deviceId = null, bool availability = false) =>
        new(profile, $"devices/{profile}.yaml", TopicTemplate.Parse(template, deviceId), availability);

    private static string Config(PartitionMapping mapping)
    {
        var writer = new StringWriter();
        mapping.WriteConfig(writer);
        return writer.ToString().ReplaceLineEndings("\n");
    }

    /// <summary>What nats-server does with a subject: the first pattern that matches, FNV-1a of its partition token mod N.</summary>
    private static int PartitionOf(PartitionMapping mapping, string subject)
    {
        var tokens = subject.Split('.');
        var m = mapping.Mappings.First(m => m.Pattern.Split('.') is var p && p.Length == tokens.Length && p.Zip(tokens).All(x => x.First == "*" || x.First == x.Second));
        return Testing.NatsCluster.PartitionOf(tokens[m.PartitionLevel], mapping.Partitions);
    }
}
