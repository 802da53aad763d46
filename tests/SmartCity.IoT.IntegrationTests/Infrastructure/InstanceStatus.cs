using System.Text.Json;

namespace SmartCity.IoT.IntegrationTests.Infrastructure;

/// <summary>
/// What a gateway on a partitioned NATS source says of itself on /api/status: its instance id, the partitions it
/// consumes now (and since when), its ownership history, the devices it has evaluated (with their partition) and its
/// active (pending or firing) alerts.
/// </summary>
internal sealed record InstanceStatus(
    string Id,
    IReadOnlyDictionary<int, DateTimeOffset> Owned,
    IReadOnlyList<OwnershipSpan> History,
    IReadOnlyDictionary<string, int> DevicePartitions,
    IReadOnlyList<(string Device, string Rule, string State, DateTimeOffset Since)> Alerts)
{
    public static async Task<InstanceStatus> ReadAsync(HttpClient http, string baseUrl)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync(baseUrl + "/api/status"));
        var root = doc.RootElement;
        if (!root.TryGetProperty("instance", out var instance) || instance.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException($"{baseUrl}/api/status has no \"instance\" (id, partitions, history of the NATS ownership)");
        }

        var id = instance.GetProperty("id").GetString()!;
        var owned = instance.GetProperty("partitions").EnumerateArray().ToDictionary(p => p.GetProperty("partition").GetInt32(), p => p.GetProperty("since").GetDateTimeOffset());
        var history = instance.GetProperty("history").EnumerateArray().Select(h => new OwnershipSpan(
            id,
            h.GetProperty("partition").GetInt32(),
            h.GetProperty("acquired").GetDateTimeOffset(),
            h.TryGetProperty("released", out var r) && r.ValueKind == JsonValueKind.String ? r.GetDateTimeOffset() : null,
            h.TryGetProperty("reason", out var why) && why.ValueKind == JsonValueKind.String ? why.GetString() : null)).ToArray();
        var devices = root.GetProperty("devices").EnumerateArray().ToDictionary(d => d.GetProperty("device").GetString()!, d => d.TryGetProperty("partition", out var p) ? p.GetInt32() : -1, StringComparer.Ordinal);
        var alerts = root.GetProperty("activeAlerts").EnumerateArray().Select(a => (
            a.GetProperty("device").GetString()!,
            a.GetProperty("rule").GetString()!,
            a.GetProperty("state").GetString()!,
            a.GetProperty("since").GetDateTimeOffset())).ToArray();
        return new InstanceStatus(id, owned, history, devices, alerts);
    }
}
