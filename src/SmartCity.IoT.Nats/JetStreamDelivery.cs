using System.Globalization;

namespace SmartCity.IoT.Nats;

/// <summary>
/// A message a JetStream consumer delivered: its subject, its acknowledgement subject and what that says (stream
/// sequence, delivery count, stored time). Read here rather than through NATS.Net's <c>Metadata</c> because a
/// nats-server 2.9 cluster that hands a consumer's message across a route joins reply and subject as
/// <c>reply@subject</c> and splits them at the last '@': a subject holding '@' (every TTN v3 topic,
/// <c>v3/{app}@{tenant}/devices/...</c>) arrives with the head of its subject glued to the reply. <c>Metadata</c> then
/// throws on that message every time it is redelivered, and its partition stops. An acknowledgement subject never
/// holds '@', so the first '@' in the reply is where the subject began.
/// </summary>
internal readonly record struct JetStreamDelivery(string Subject, string ReplyTo, ulong StreamSequence, ulong NumDelivered, long TimestampNs)
{
    private const string AckPrefix = "$JS.ACK.";

    /// <summary>False when <paramref name="replyTo"/> is not an acknowledgement subject; <paramref name="delivery"/> then keeps what was given.</summary>
    public static bool TryRead(string subject, string? replyTo, out JetStreamDelivery delivery)
    {
        delivery = new JetStreamDelivery(subject, replyTo ?? "", 0, 1, 0);
        if (replyTo is null || !replyTo.StartsWith(AckPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var at = replyTo.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            subject = string.Concat(replyTo.AsSpan(at + 1), "@", subject);
            replyTo = replyTo[..at];
        }

        // $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<ns>.<pending>, or with
        // <domain>.<account hash> after ACK and a random token at the end (11 or 12 tokens).
        Span<Range> tokens = stackalloc Range[14];
        var ack = replyTo.AsSpan();
        var count = ack.Split(tokens, '.');
        var first = count switch
        {
            9 => 4,
            11 or 12 => 6,
            _ => -1,
        };
        if (first < 0
            || !ulong.TryParse(ack[tokens[first]], NumberStyles.None, CultureInfo.InvariantCulture, out var delivered)
            || !ulong.TryParse(ack[tokens[first + 1]], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            || !long.TryParse(ack[tokens[first + 3]], NumberStyles.None, CultureInfo.InvariantCulture, out var ns))
        {
            delivery = delivery with { Subject = subject, ReplyTo = replyTo };
            return false;
        }

        delivery = new JetStreamDelivery(subject, replyTo, sequence, delivered, ns);
        return true;
    }
}
