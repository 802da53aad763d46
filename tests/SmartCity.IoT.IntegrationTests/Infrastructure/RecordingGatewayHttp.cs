using System.Collections.Concurrent;
using System.Text.Json;

namespace SmartCity.IoT.IntegrationTests.Infrastructure;

/// <summary>
/// The one HTTP client of a test that talks to a gateway and keeps every answer (status, headers, body) for later checks,
/// such as a scan for leaked secrets. Every request passes <see cref="Prepare"/>: the place to add credentials.
/// </summary>
internal sealed class RecordingGatewayHttp : IDisposable
{
    private readonly HttpClient _http;
    private readonly string? _token;

    /// <param name="token">An API token (<c>Http:Auth:Tokens</c>) sent as a bearer token with every request.</param>
    public RecordingGatewayHttp(string baseUrl, string? token = null)
    {
        _token = token;
        _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Every answer so far: "METHOD path -> status", then the headers and the body.</summary>
    public ConcurrentQueue<(string Request, int Status, string Text)> Answers { get; } = new();

    public async Task<(int Status, string Body)> SendAsync(HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        Prepare(request);
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var headers = string.Join('\n', response.Headers.Concat(response.Content.Headers).Select(h => h.Key + ": " + string.Join(", ", h.Value)));
        Answers.Enqueue(($"{method} {path}", (int)response.StatusCode, headers + "\n\n" + body));
        return ((int)response.StatusCode, body);
    }

    public async Task<string> GetStringAsync(string path)
    {
        var (status, body) = await SendAsync(HttpMethod.Get, path);
        return status == 200 ? body : throw new HttpRequestException($"GET {path} answered {status}: {body}");
    }

    public async Task<JsonElement> GetJsonAsync(string path) => JsonDocument.Parse(await GetStringAsync(path)).RootElement.Clone();

    public void Dispose() => _http.Dispose();

    private void Prepare(HttpRequestMessage request)
    {
        request.Headers.Add("Accept", "application/json, text/html");
        if (_token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _token);
        }
    }
}
