using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Core.Pipeline;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// Topic + payload → readings (<see cref="ReadingSet"/>; usually one): routes the topic, turns its named segments into tags
/// (slices of the topic string), adds <c>device</c> and <c>model</c>, decodes the payload with the profile's decoder and
/// applies the timestamp.
/// Thread-safe; allocation-free for a known topic and a good payload.
/// </summary>
public sealed class MessageDecoder
{
    public const int DefaultMaxPayloadBytes = 64 * 1024;
    public const string DeviceTag = "device";
    public const string ModelTag = "model";

    private readonly TopicRouter _router;

    public MessageDecoder(IEnumerable<DeviceProfile> profiles, int maxPayloadBytes = DefaultMaxPayloadBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPayloadBytes);
        _router = new TopicRouter(profiles);
        MaxPayloadBytes = maxPayloadBytes;
    }

    /// <summary>The global payload limit; a profile may set a lower one.</summary>
    public int MaxPayloadBytes { get; }

    public TopicRouter Router => _router;

    public DecodeResult Decode(string topic, ReadOnlySpan<byte> payload, Reading reading, long receivedUnixNs) =>
        Decode(topic, TopicSyntax.Mqtt, payload, reading, receivedUnixNs);

    /// <summary>
    /// Decodes a message into <paramref name="reading"/> alone: for callers that know their profiles yield one reading per
    /// message. A message that yields several is decoded whole, but only the first is in <paramref name="reading"/>; use the
    /// <see cref="ReadingSet"/> overload (<see cref="DecodeResult.Readings"/> says how many there were).
    /// </summary>
    public DecodeResult Decode(string topic, TopicSyntax syntax, ReadOnlySpan<byte> payload, Reading reading, long receivedUnixNs) =>
        Decode(topic, syntax, payload, reading.OwnSet, receivedUnixNs);

    public DecodeResult Decode(string topic, ReadOnlySpan<byte> payload, ReadingSet readings, long receivedUnixNs) =>
        Decode(topic, TopicSyntax.Mqtt, payload, readings, receivedUnixNs);

    /// <summary>
    /// Decodes a message whose topic is spelled in <paramref name="syntax"/> (an MQTT topic or a stream subject) into
    /// <paramref name="readings"/>: one reading, or several (samples at several times, several devices, field instances),
    /// in time order; skip the empty ones (<see cref="Reading.FieldCount"/> 0).
    /// </summary>
    public DecodeResult Decode(string topic, TopicSyntax syntax, ReadOnlySpan<byte> payload, ReadingSet readings, long receivedUnixNs)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(readings);
        readings.Reset();
        var reading = readings.First;
        reading.Topic = topic;
        reading.TimestampNs = receivedUnixNs;

        Span<Range> levels = stackalloc Range[TopicRouter.MaxLevels];
        if (!_router.TryRoute(topic, syntax.Separator, levels, out var route))
        {
            return Failed(DecodeError.NoMatchingProfile, $"topic '{topic}' matches no profile's telemetry or availability template");
        }

        var profile = route!.Profile;
        var template = route.Template;
        reading.Profile = profile;
        var deviceId = topic.AsMemory(levels[template.DeviceIdIndex]);
        reading.DeviceId = deviceId;

        var limit = Math.Min(MaxPayloadBytes, profile.Decoding.MaxPayloadBytes);
        if (payload.Length > limit)
        {
            return Failed(DecodeError.PayloadTooLarge, $"payload is {payload.Length} bytes, the limit for {profile.Id} is {limit}");
        }

        var segments = template.Segments;
        for (var i = 0; i < segments.Count; i++)
        {
            var name = segments[i].Name;
            if (name is not null && i != template.FieldIndex)
            {
                reading.AddTag(name, topic.AsMemory(levels[i]));
            }
        }

        reading.AddTag(DeviceTag, deviceId);
        reading.AddTag(ModelTag, profile.IdMemory);

        var ctx = default(DecodeContext);
        ctx.Readings = readings;
        ctx.ReceivedUnixNs = receivedUnixNs;
        if (route.Availability is { } availability)
        {
            if (availability.Json is { } json)
            {
                json.Decode(payload, default, reading, ref ctx);
                if (!ctx.Failed && !ctx.AvailabilityKnown)
                {
                    ctx.Fail(DecodeError.UnknownAvailability, $"availability payload has no value at {availability.Path}");
                }
            }
            else
            {
                availability.Values.Apply(payload, ref ctx);
            }

            // A failed availability message is an ordinary failure (dead-lettered), never "offline".
            return ctx.Failed
                ? new DecodeResult(ctx.Error, ctx.Detail, 0, DecodeError.None, null, false, false)
                : new DecodeResult(DecodeError.None, null, true, ctx);
        }

        var fieldKey = template.FieldIndex >= 0 ? topic.AsSpan(levels[template.FieldIndex]) : default;
        var decoder = profile.Decoding.Decoder;
        decoder.Decode(payload, fieldKey, reading, ref ctx);
        if (readings.Overflowed && !ctx.Failed)
        {
            ctx.Fail(DecodeError.PayloadTooLarge, $"the payload yields more than {readings.MaxReadings} readings, the most one message may carry");
        }

        if (ctx.Failed)
        {
            return new DecodeResult(ctx.Error, ctx.Detail, ctx.RejectedFields, ctx.RejectionReason, ctx.RejectionDetail, false, false);
        }

        if (template.FieldIndex < 0)
        {
            CheckRequired(decoder.Fields, readings, ref ctx);
        }

        var count = 0;
        for (var i = 0; i < readings.Count; i++)
        {
            if (readings[i].FieldCount > 0)
            {
                count++;
            }
        }

        // A payload that is only a state change (a Sparkplug DEATH) is an availability message.
        if (count == 0 && ctx.AvailabilityKnown)
        {
            return new DecodeResult(DecodeError.None, null, true, ctx);
        }

        if (count == 0)
        {
            var detail = ctx.RejectedFields > 0
                ? "no valid field remained: " + ctx.RejectionDetail
                : $"none of the profile's fields was found in the payload (expected {string.Join(", ", decoder.Fields.Select(f => f.Source).Distinct())})";
            return new DecodeResult(DecodeError.NoValidFields, detail, ctx.RejectedFields, ctx.RejectionReason, ctx.RejectionDetail, false, false);
        }

        readings.Complete(ctx.HasTimestamp ? ctx.TimestampNs : receivedUnixNs);
        return ctx.AvailabilityKnown || ctx.Warning is not null
            ? new DecodeResult(DecodeError.None, null, false, ctx, count)
            : new DecodeResult(DecodeError.None, null, ctx.RejectedFields, ctx.RejectionReason, ctx.RejectionDetail, false, true, count);
    }

    /// <summary>A required field must be in at least one of the message's readings.</summary>
    private static void CheckRequired(IReadOnlyList<FieldMapping> fields, ReadingSet readings, ref DecodeContext ctx)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            var f = fields[i];
            if (f.Required && !AnyHas(readings, f.FieldId) && ctx.RejectionDetail?.Contains(f.Field.Name + " (", StringComparison.Ordinal) != true)
            {
                ctx.Reject(DecodeError.MissingField, $"{f.Field.Name} ({f.Source}): required but absent");
            }
        }
    }

    private static bool AnyHas(ReadingSet readings, int fieldId)
    {
        for (var i = 0; i < readings.Count; i++)
        {
            if (readings[i].Has(fieldId))
            {
                return true;
            }
        }

        return false;
    }

    private static DecodeResult Failed(DecodeError error, string detail) => new(error, detail, 0, DecodeError.None, null, false, false);
}
