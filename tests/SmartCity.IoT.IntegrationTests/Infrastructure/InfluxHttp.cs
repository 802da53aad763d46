using System.Globalization;
using System.Text.Json;

namespace SmartCity.IoT.IntegrationTests.Infrastructure;

/// <summary>InfluxQL over InfluxDB 1.x's HTTP API, to read back what the gateway wrote.</summary>
internal sealed class InfluxHttp(string baseUrl, HttpMessageHandler? handler = null) : IDisposable
{
    private readonly HttpClient _http = new(handler ?? new SocketsHttpHandler()) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };

    public string BaseUrl { get; } = baseUrl;

    public async Task CreateDatabaseAsync(string database)
    {
        using var response = await _http.PostAsync($"/query?q={Uri.EscapeDataString($"CREATE DATABASE \"{database}\"")}", null);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Rows of the first series of the first statement, as column name → value.</summary>
    public async Task<List<Dictionary<string, JsonElement>>> QueryAsync(string database, string influxQl)
    {
        var json = await _http.GetStringAsync($"/query?db={Uri.EscapeDataString(database)}&epoch=ns&q={Uri.EscapeDataString(influxQl)}");
        using var doc = JsonDocument.Parse(json);
        var rows = new List<Dictionary<string, JsonElement>>();
        var result = doc.RootElement.GetProperty("results")[0];
        if (result.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"InfluxQL error for '{influxQl}': {error.GetString()}");
        }

        if (!result.TryGetProperty("series", out var series))
        {
            return rows;
        }

        foreach (var s in series.EnumerateArray())
        {
            var columns = s.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToArray();
            var tags = s.TryGetProperty("tags", out var t) ? t.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone()) : [];
            foreach (var values in s.GetProperty("values").EnumerateArray())
            {
                var row = new Dictionary<string, JsonElement>(tags);
                var i = 0;
                foreach (var v in values.EnumerateArray())
                {
                    row[columns[i++]] = v.Clone();
                }

                rows.Add(row);
            }
        }

        return rows;
    }

    /// <summary>Number of points in a measurement (counted on one field every point of it carries).</summary>
    public async Task<long> CountAsync(string database, string measurement, string field)
    {
        var rows = await QueryAsync(database, $"SELECT count(\"{field}\") FROM \"{measurement}\"");
        return rows.Count == 0 ? 0 : rows[0]["count"].GetInt64();
    }

    /// <summary>Number of distinct devices (series) of one profile that have a point with <paramref name="field"/>.</summary>
    /// <summary>Waits until every message's device has its point, and fails naming the profile that falls short.</summary>
    public async Task AssertAllStoredAsync(string database, IEnumerable<TrafficMessage> messages, TimeSpan timeout, string when)
    {
        foreach (var (profile, measurement, field, count) in SampleTraffic.Expected(messages))
        {
            var stored = await Eventually.WaitAsync(() => DeviceCountAsync(database, measurement, field, profile), n => n >= count, timeout, $"{count} {profile} devices in {measurement} {when}");
            Assert.Equal(count, stored);
        }
    }

    /// <summary>Creates a database of its own for one test, named from <paramref name="prefix"/>.</summary>
    public async Task<string> NewDatabaseAsync(string prefix)
    {
        var database = NewDatabaseName(prefix);
        await CreateDatabaseAsync(database);
        return database;
    }

    public async Task<int> DeviceCountAsync(string database, string measurement, string field, string profileId)
    {
        var rows = await QueryAsync(database, $"SELECT count(\"{field}\") FROM \"{measurement}\" WHERE \"model\" = '{profileId}' GROUP BY \"device\"");
        return rows.Count;
    }

    public void Dispose() => _http.Dispose();

    public static string NewDatabaseName(string prefix) => $"{prefix}_{DateTime.UtcNow.ToString("HHmmssfff", CultureInfo.InvariantCulture)}_{Random.Shared.Next(1000, 9999)}";
}
