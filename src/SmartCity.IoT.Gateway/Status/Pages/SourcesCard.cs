using System.Text;
using SmartCity.IoT.Core.Pipeline;

namespace SmartCity.IoT.Gateway.Status.Pages;

/// <summary>One card per message source: its state, where it reads from, its protocol, and its delivery guarantee in plain words.</summary>
internal static class SourcesCard
{
    public static void Append(StringBuilder h, StatusSnapshot s)
    {
        foreach (var source in s.Sources)
        {
            Card(h, source, s.Broker is { Embedded: true } broker && source.Endpoint == broker.Endpoint);
        }

        if (s.Instance is { } instance)
        {
            var owned = instance.Partitions.Count == 0
                ? "owns no partition"
                : "owns partition " + string.Join(", ", instance.Partitions.Select(p => $"{p.Partition} (since {p.Since:HH:mm:ss})"));
            FlowPage.Card(h, "Instance " + instance.Id, instance.Ownership.ToLowerInvariant() + " ownership", instance.Partitions.Count == 0 ? "warn" : "ok", $"{instance.Source}: {owned}");
        }
    }

    private static void Card(StringBuilder h, SourceHealth source, bool embedded)
    {
        var note = new StringBuilder(source.Endpoint);
        if (embedded)
        {
            note.Append(" (embedded)");
        }

        if (source.Protocol is { } protocol)
        {
            note.Append(char.IsDigit(protocol[0]) ? " · MQTT " : " · ").Append(protocol);
        }

        note.Append(" · ").Append(Humanize.Count(source.Received)).Append(" received");
        if (source.Retained > 0)
        {
            note.Append(", ").Append(Humanize.Count(source.Retained)).Append(" retained replays");
        }

        if (source.Refused > 0)
        {
            note.Append(", ").Append(Humanize.Count(source.Refused)).Append(" refused (503: lost unless the sender retries)");
        }

        if (source.Delivery is { } delivery)
        {
            note.Append(" · ").Append(delivery);
        }

        if (source.LastError is { } error)
        {
            note.Append(" · ").Append(error);
        }

        var cls = !source.Connected || source.Refused > 0 ? "bad" : source.ReceivedAtMostOnce > 0 || source.Delivery?.StartsWith("at most once", StringComparison.Ordinal) == true ? "warn" : "ok";
        FlowPage.Card(h, "Source " + source.Name, source.Connected ? "connected" : "disconnected", cls, note.ToString());
    }
}
