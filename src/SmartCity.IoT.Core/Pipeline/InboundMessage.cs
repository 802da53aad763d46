using System.Buffers;

namespace SmartCity.IoT.Core.Pipeline;

/// <summary>
/// One message as a source hands it to the pipeline: where it was published (an MQTT topic or a stream subject, in the
/// source's <see cref="TopicSyntax"/>), its payload, when it arrived, and the token the source needs to acknowledge it.
/// The payload is only valid until the handler's task completes.
/// </summary>
public readonly struct InboundMessage(string topic, ReadOnlySequence<byte> payload, long receivedUnixNs, DeliveryToken token, bool redelivered = false)
{
    public string Topic { get; } = topic;

    public ReadOnlySequence<byte> Payload { get; } = payload;

    /// <summary>Arrival time in Unix nanoseconds; a reading without its own timestamp is stamped with it.</summary>
    public long ReceivedUnixNs { get; } = receivedUnixNs;

    public DeliveryToken Token { get; } = token;

    /// <summary>
    /// The source says this is a redelivery of a message it handed over before and that was not acknowledged (MQTT's DUP
    /// flag after a session resumed): its effects may already be in the rule state. Rules skip such a reading when it is
    /// not newer than what the device's state already reflects; it is stored either way.
    /// </summary>
    public bool Redelivered { get; } = redelivered;

    /// <summary>
    /// A message the broker stored and sent again (MQTT's retained message on subscribe), not one published now: stored
    /// per the profile's retained policy, never taken as the device being heard from.
    /// </summary>
    public bool IsReplay { get; init; }

    /// <summary>
    /// The partition of a partitioned source (a NATS JetStream partition) the message came from, or -1: state that
    /// follows a device (rule state) is checkpointed and handed over per partition.
    /// </summary>
    public int Partition { get; init; } = -1;

    /// <summary>
    /// The message's sequence in a stream that numbers its messages (a JetStream stream sequence), or 0. Rule state kept
    /// per partition records up to where it reflects the stream, so a new owner replays only what comes after.
    /// </summary>
    public long StreamSequence { get; init; }
}
