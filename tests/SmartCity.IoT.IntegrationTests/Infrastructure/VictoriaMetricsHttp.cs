namespace SmartCity.IoT.IntegrationTests.Infrastructure;

/// <summary>Reads back from VictoriaMetrics: it stores each InfluxDB field as the metric <c>measurement_field</c> with tags as labels.</summary>
internal sealed class VictoriaMetricsHttp(string baseUrl) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };

    public async Task<List<string>> ExportAsync(string match)
    {
        using (var flush = await _http.PostAsync("/internal/force_flush", null))
        {
            flush.EnsureSuccessStatusCode();
        }

        var body = await _http.GetStringAsync($"/api/v1/export?match[]={Uri.EscapeDataString(match)}");
        return body.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    public void Dispose() => _http.Dispose();
}
