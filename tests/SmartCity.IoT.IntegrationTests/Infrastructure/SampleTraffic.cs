using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Devices;

namespace SmartCity.IoT.IntegrationTests.Infrastructure;

/// <summary>One message to publish and where its reading must end up.</summary>
internal sealed record TrafficMessage(string Topic, byte[] Payload, string ProfileId, string Measurement, string Field, string DeviceId);

/// <summary>
/// Real traffic built from the profiles' own samples: each message is a valid sample of some profile with a unique
/// device id put into its topic, so every message is its own series and an exact count in InfluxDB proves nothing was lost.
/// </summary>
internal static class SampleTraffic
{
    public static List<TrafficMessage> Build(DeviceCatalog catalog, int count, string runId, Func<string, bool>? profileFilter = null)
    {
        var templates = UsableSamples(catalog, profileFilter);
        if (templates.Count == 0)
        {
            throw new InvalidOperationException("No profile sample with the device id in its topic was found.");
        }

        var messages = new List<TrafficMessage>(count);
        for (var i = 0; i < count; i++)
        {
            var t = templates[i % templates.Count];
            var device = $"{runId}-{i:D6}";
            messages.Add(new TrafficMessage(t.Prefix + device + t.Suffix, t.Payload, t.ProfileId, t.Measurement, t.Field, device));
        }

        return messages;
    }

    /// <summary>
    /// Profiles whose topics have no '.' in a level, for brokers that map topic levels to dot-separated subjects or
    /// routing keys (nats-server's and RabbitMQ's MQTT listeners refuse or rewrite Sparkplug's <c>spBv1.0/...</c>).
    /// </summary>
    public static Func<string, bool> DotFreeTopics(DeviceCatalog catalog)
    {
        var dotted = catalog.LoadedProfiles.Where(l => l.Samples.Any(s => s.Topic.Contains('.', StringComparison.Ordinal))).Select(l => l.Profile.Id).ToHashSet(StringComparer.Ordinal);
        return id => !dotted.Contains(id);
    }

    /// <summary>Per profile (the <c>model</c> tag): its measurement, a field every one of its points carries, and how many points.</summary>
    public static IEnumerable<(string ProfileId, string Measurement, string Field, int Count)> Expected(IEnumerable<TrafficMessage> messages) =>
        messages.GroupBy(m => (m.ProfileId, m.Measurement, m.Field)).Select(g => (g.Key.ProfileId, g.Key.Measurement, g.Key.Field, g.Count()));

    /// <summary>
    /// Publishes the messages as a steady stream, not one burst (a short pause every 20), so that what
    /// <paramref name="afterEach"/> does (a kill, say) lands mid-flow; it gets the index of the message just published.
    /// </summary>
    public static async Task PublishSteadilyAsync(TestPublisher publisher, IReadOnlyList<TrafficMessage> messages, Func<int, Task> afterEach)
    {
        for (var i = 0; i < messages.Count; i++)
        {
            await publisher.PublishAsync(messages[i].Topic, messages[i].Payload);
            await afterEach(i);
            if (i % 20 == 0)
            {
                await Task.Delay(10);
            }
        }
    }

    private static List<(string ProfileId, string Prefix, string Suffix, byte[] Payload, string Measurement, string Field)> UsableSamples(DeviceCatalog catalog, Func<string, bool>? profileFilter)
    {
        var reading = new Reading(catalog.Vocabulary.Count);
        var result = new List<(string, string, string, byte[], string, string)>();
        foreach (var loaded in catalog.LoadedProfiles)
        {
            // A stateful format (Sparkplug B: DATA needs its BIRTH first) cannot be sampled message by message, and a
            // JavaScript codec's first calls may exceed its time limit while Jint warms up (FormatsEndToEndTests covers both).
            if ((profileFilter is not null && !profileFilter(loaded.Profile.Id)) || loaded.Profile.Decoding.Decoder is IStatefulDecoder or SmartCity.IoT.Devices.Codecs.CodecPayloadDecoder)
            {
                continue;
            }

            foreach (var sample in loaded.Samples)
            {
                if (!sample.IsValid || sample.ExpectAvailability is not null || sample.ExpectRejected.Count > 0 || sample.CodecExample is not null)
                {
                    continue;
                }

                var decoded = catalog.Decode(sample.Topic, sample.Payload, reading, 1_700_000_000_000_000_000);
                if (!decoded.IsSuccess || decoded.IsAvailability || reading.FieldCount == 0 || decoded.Readings != 1)
                {
                    continue; // (a message with several readings would be several points)
                }

                var device = reading.DeviceId.ToString();
                var segments = sample.Topic.Split('/');
                var index = Array.IndexOf(segments, device);
                if (index < 0)
                {
                    continue; // device id comes from the payload, not the topic
                }

                var prefix = string.Join('/', segments[..index]) + (index > 0 ? "/" : "");
                var suffix = index < segments.Length - 1 ? "/" + string.Join('/', segments[(index + 1)..]) : "";

                // Check that a different id in that segment really yields a different device.
                var probe = catalog.Decode(prefix + "probe-device" + suffix, sample.Payload, reading, 1_700_000_000_000_000_000);
                if (!probe.IsSuccess || reading.DeviceId.ToString() != "probe-device")
                {
                    continue;
                }

                // A numeric field: VictoriaMetrics drops string (enum) fields.
                string? field = null;
                foreach (var id in reading.FieldIds)
                {
                    if (catalog.Vocabulary[id].Type is FieldType.Float or FieldType.Integer)
                    {
                        field = catalog.Vocabulary[id].Name;
                        break;
                    }
                }

                if (field is null)
                {
                    continue;
                }

                result.Add((loaded.Profile.Id, prefix, suffix, sample.Payload, loaded.Profile.Family, field));
                break;
            }
        }

        return result;
    }
}
