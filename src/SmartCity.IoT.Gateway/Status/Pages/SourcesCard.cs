using System.Text;

namespace SmartCity.IoT.Gateway.Status.Pages;

/// <summary>The cards of the message sources: the MQTT broker and any other source. Kept apart so sources can add their own fields.</summary>
internal static class SourcesCard
{
    public static void Append(StringBuilder h, StatusSnapshot s)
    {
        FlowPage.Card(h, "Broker", s.Broker.Connected ? "connected" : "disconnected", s.Broker.Connected ? "ok" : "bad",
            $"{s.Broker.Endpoint}{(s.Broker.Embedded ? " (embedded)" : "")}{(s.Broker.LastError is { } e ? " · " + e : "")}");
        foreach (var other in s.Sources.Where(x => x.Name != "mqtt"))
        {
            FlowPage.Card(h, "Source " + other.Name, other.Connected ? "connected" : "disconnected", other.Connected ? "ok" : "bad",
                $"{other.Endpoint}{(other.LastError is { } oe ? " · " + oe : "")}");
        }
    }
}
