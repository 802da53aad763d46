using System.Net;

namespace SmartCity.IoT.Gateway.Security;

/// <summary>One listen URL of <c>Http:Urls</c>, and whether it reaches beyond this machine.</summary>
internal sealed record HttpBinding(string Url, bool IsHttps, bool IsLoopback)
{
    public static IReadOnlyList<HttpBinding> Parse(string? urls) =>
        (string.IsNullOrWhiteSpace(urls) ? "http://127.0.0.1:8080" : urls)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(Of)
            .ToList();

    private static HttpBinding Of(string url)
    {
        var https = url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        var rest = url[(url.IndexOf("://", StringComparison.Ordinal) is var i and >= 0 ? i + 3 : 0)..];
        string host;
        if (rest.StartsWith('['))
        {
            host = rest[1..Math.Max(1, rest.IndexOf(']', StringComparison.Ordinal))];
        }
        else
        {
            var end = rest.IndexOfAny([':', '/']);
            host = end < 0 ? rest : rest[..end];
        }

        // Wildcards (*, +, 0.0.0.0, [::]) and names other than localhost listen on every interface or may.
        var loopback = host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
        return new HttpBinding(url, https, loopback);
    }
}
