using System.Globalization;
using SmartCity.IoT.Core.Decoding;

namespace SmartCity.IoT.Gateway.Nats;

/// <summary>
/// The nats-server account <c>mappings</c> that put every profile's subjects into <c>&lt;prefix&gt;.&lt;n&gt;.&lt;subject&gt;</c>,
/// n = <c>partition(N, k)</c> of the device-id token (or of the <c>--by</c> segment), so a vendor's new profile reaches
/// the stream in NATS mode without a hand-written mapping. Topic <c>a/b/c</c> arrives from the MQTT listener as subject
/// <c>a.b.c</c>; each named segment becomes <c>*</c>. What cannot be mapped is said in <see cref="Notes"/>.
/// </summary>
internal sealed class PartitionMapping
{
    private PartitionMapping(int partitions, string? by, IReadOnlyList<SubjectMapping> mappings, IReadOnlyList<string> notes)
    {
        Partitions = partitions;
        By = by;
        Mappings = mappings;
        Notes = notes;
    }

    public int Partitions { get; }

    /// <summary>The segment name partitioned by where a profile has it; null: the device id.</summary>
    public string? By { get; }

    /// <summary>One per distinct subject pattern, in profile order.</summary>
    public IReadOnlyList<SubjectMapping> Mappings { get; }

    /// <summary>One sentence per problem, each naming the profile file and template.</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>
    /// Builds the mapping of <paramref name="templates"/> (profile order, each profile's telemetry templates then its
    /// availability one). <paramref name="by"/>: partition by that named segment in profiles whose every template has it.
    /// <paramref name="natsSource"/>: the NATS source's name; profiles bound to another source are left out.
    /// </summary>
    public static PartitionMapping Build(IReadOnlyList<MappingTemplate> templates, int partitions, string prefix = "p", string? by = null, string natsSource = "nats")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        var notes = new List<string>();
        var placed = new List<(MappingTemplate Source, string Pattern, int Level)>();
        foreach (var profile in templates.GroupBy(t => t.Profile, StringComparer.Ordinal))
        {
            var own = profile.ToList();
            if (own[0].Source is { } source && !string.Equals(source, natsSource, StringComparison.Ordinal))
            {
                notes.Add($"{own[0].File}: note: profile {profile.Key} is bound to source '{source}', not the NATS source '{natsSource}': not mapped (the NATS source would not decode its messages)");
                continue;
            }

            var carried = new List<MappingTemplate>();
            foreach (var t in own)
            {
                if (Uncarried(t.Template) is { } why)
                {
                    notes.Add(Note(t, $"{why}: not mapped, so in NATS mode this device is not ingested"));
                }
                else
                {
                    carried.Add(t);
                }
            }

            // One token for all of a profile's templates, so a device's readings and its availability share a partition.
            var lacking = by is null ? [] : carried.Where(t => !t.Template.Segments.Any(s => s.Name == by)).ToList();
            foreach (var t in lacking)
            {
                notes.Add(carried.Count == 1
                    ? Note(t, $"has no {{{by}}} segment: partitioned by its device id")
                    : Note(t, $"has no {{{by}}} segment: all of {profile.Key}'s templates are partitioned by the device id, so its messages stay in one partition"));
            }

            foreach (var t in carried)
            {
                var level = by is not null && lacking.Count == 0
                    ? IndexOf(t.Template, by)
                    : t.Template.DeviceIdIndex;
                placed.Add((t, Pattern(t.Template), level));
            }
        }

        var mappings = new List<SubjectMapping>();
        var byPattern = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (source, pattern, level) in placed)
        {
            if (byPattern.TryGetValue(pattern, out var i))
            {
                var kept = mappings[i];
                if (kept.PartitionLevel == level)
                {
                    mappings[i] = kept with { Sources = [.. kept.Sources, source] };
                }
                else
                {
                    var first = kept.Sources[0];
                    notes.Add(Note(source, $"subject pattern '{pattern}' is also {first.Profile}'s ({first.File}: {Describe(first)}), which takes the partition from level {kept.PartitionLevel + 1}, this one from level {level + 1}: only the first is mapped, so this profile's devices may be partitioned by another token and their messages split; make a plain level differ"));
                }

                continue;
            }

            byPattern.Add(pattern, mappings.Count);
            mappings.Add(new SubjectMapping(pattern, Destination(source.Template, level, partitions, prefix), level, [source]));
        }

        for (var i = 0; i < mappings.Count; i++)
        {
            var a = mappings[i];
            if (a.Sources[0].Template.Segments[0].IsNamed)
            {
                notes.Add(Note(a.Sources[0], $"subject pattern '{a.Pattern}' starts with a wildcard, so nats-server also moves any other subject of that shape in the account into the partitions (JetStream's $JS and $KV subjects, inboxes, the gateway's alert stream); give the topic a plain first level if the device allows it"));
            }

            for (var j = i + 1; j < mappings.Count; j++)
            {
                var b = mappings[j];
                if (a.PartitionLevel != b.PartitionLevel && a.Sources[0].Template.Overlaps(b.Sources[0].Template))
                {
                    notes.Add(Note(b.Sources[0], $"subject pattern '{b.Pattern}' overlaps '{a.Pattern}' ({a.Sources[0].Profile}, {a.Sources[0].File}: {Describe(a.Sources[0])}) and takes the partition from level {b.PartitionLevel + 1}, not {a.PartitionLevel + 1}: a subject matching both goes by whichever mapping nats-server picks, so one device's messages could be split across partitions; make a plain level differ"));
                }
            }
        }

        return new PartitionMapping(partitions, by, mappings, notes);
    }

    /// <summary>Null when some template has a segment named <paramref name="by"/>; otherwise the sentence that says why the option is wrong.</summary>
    public static string? CheckBy(string by, IReadOnlyList<MappingTemplate> templates)
    {
        if (by == TopicTemplate.FieldSegmentName)
        {
            return $"--by {by}: {{{by}}} names a reading's field, not a place or a device; partition by a place segment such as building or floor";
        }

        var names = templates.SelectMany(t => t.Template.Segments).Where(s => s.IsNamed && s.Name != TopicTemplate.FieldSegmentName)
            .Select(s => s.Name!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return names.Contains(by, StringComparer.Ordinal)
            ? null
            : $"--by {by}: no profile's topic template has a {{{by}}} segment{Core.Loading.DidYouMean.Hint(by, names)} (segments: {string.Join(", ", names)})";
    }

    /// <summary>The <c>mappings = { ... }</c> block nats-server takes verbatim in its configuration.</summary>
    public void WriteConfig(TextWriter output)
    {
        output.WriteLine("mappings = {");
        output.WriteLine($"  # {Partitions} partitions by {(By is null ? "the device id" : $"{{{By}}} where a profile has it, else the device id")}; set Nats:Partitions to {Partitions} on every gateway");
        foreach (var m in Mappings)
        {
            foreach (var s in m.Sources)
            {
                output.WriteLine($"  # {s.Profile} ({s.File}): {Describe(s)}");
            }

            output.WriteLine($"  \"{m.Pattern}\": \"{m.Destination}\"");
        }

        output.WriteLine("}");
    }

    private static string Note(MappingTemplate t, string text) => $"{t.File}: note: {Describe(t)}: {text}";

    private static string Describe(MappingTemplate t) => t.IsAvailability ? $"availability {t.Template.Template}" : t.Template.Template;

    private static int IndexOf(TopicTemplate template, string name)
    {
        for (var i = 0; i < template.SegmentCount; i++)
        {
            if (template.Segments[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Pattern(TopicTemplate template) => string.Join('.', template.Segments.Select(s => s.IsNamed ? "*" : s.Literal));

    private static string Destination(TopicTemplate template, int partitionLevel, int partitions, string prefix)
    {
        var parts = new List<string>(template.SegmentCount + 2) { prefix };
        var wildcard = 0;
        var partitionWildcard = 0;
        foreach (var (segment, level) in template.Segments.Select((s, i) => (s, i)))
        {
            if (segment.IsNamed)
            {
                wildcard++;
                if (level == partitionLevel)
                {
                    partitionWildcard = wildcard;
                }

                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{{{{wildcard({wildcard})}}}}"));
            }
            else
            {
                parts.Add(segment.Literal!);
            }
        }

        parts.Insert(1, string.Create(CultureInfo.InvariantCulture, $"{{{{partition({partitions},{partitionWildcard})}}}}"));
        return string.Join('.', parts);
    }

    /// <summary>Why a template's topics cannot reach a NATS subject through nats-server 2.9's MQTT listener, or null.</summary>
    private static string? Uncarried(TopicTemplate template)
    {
        foreach (var s in template.Segments)
        {
            if (s.Literal is not { } literal)
            {
                continue;
            }

            if (literal.Contains('.'))
            {
                return $"level '{literal}' has a '.', which nats-server 2.9's MQTT listener refuses in a topic (later versions turn it into '//')";
            }

            if (literal.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                return $"level '{literal}' has a space or control character, which NATS subjects cannot carry";
            }

            if (literal is "*" or ">")
            {
                return $"level '{literal}' is a wildcard in a NATS subject";
            }

            if (literal.Contains('"') || literal.Contains('\\'))
            {
                return $"level '{literal}' has a quote or backslash, which the nats-server configuration would need escaped";
            }
        }

        return null;
    }
}
