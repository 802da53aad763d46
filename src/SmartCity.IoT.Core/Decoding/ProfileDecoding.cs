namespace SmartCity.IoT.Core.Decoding;

/// <summary>Everything the hot path needs to decode one profile's messages, compiled once at load.</summary>
public sealed class ProfileDecoding
{
    public ProfileDecoding(IReadOnlyList<TopicTemplate> topics, PayloadDecoder decoder, AvailabilityTopic? availability, int maxPayloadBytes, IReadOnlyList<PayloadTag>? payloadTags = null)
    {
        Topics = topics;
        Decoder = decoder;
        Availability = availability;
        MaxPayloadBytes = maxPayloadBytes;
        PayloadTags = payloadTags ?? [];
    }

    public IReadOnlyList<TopicTemplate> Topics { get; }

    public PayloadDecoder Decoder { get; }

    public AvailabilityTopic? Availability { get; }

    /// <summary>Payloads above this size fail with <see cref="DecodeError.PayloadTooLarge"/>.</summary>
    public int MaxPayloadBytes { get; }

    public IReadOnlyList<PayloadTag> PayloadTags { get; }

    public IReadOnlyList<FieldMapping> Fields => Decoder.Fields;
}
