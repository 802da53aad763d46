using System.Net;
using System.Text.RegularExpressions;

namespace SmartCity.IoT.IntegrationTests.Security;

/// <summary>An HTTP client that behaves like the page in a browser: keeps cookies, reads the antiforgery field of a page, signs in with the form.</summary>
internal sealed partial class PageClient : IDisposable
{
    private readonly HttpClientHandler _handler = new() { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };

    /// <param name="baseUrl">The gateway.</param>
    /// <param name="trust">For https: which server certificate to accept.</param>
    public PageClient(string baseUrl, Func<System.Security.Cryptography.X509Certificates.X509Certificate2?, bool>? trust = null)
    {
        BaseUrl = baseUrl;
        if (trust is not null)
        {
            _handler.ServerCertificateCustomValidationCallback = (_, c, _, _) => trust(c);
        }

        Http = new HttpClient(_handler) { BaseAddress = new Uri(baseUrl) };
    }

    public string BaseUrl { get; }

    public HttpClient Http { get; }

    public CookieCollection Cookies => _handler.CookieContainer.GetAllCookies();

    /// <summary>The antiforgery field (name, value) of the form on <paramref name="path"/>.</summary>
    public async Task<KeyValuePair<string, string>> AntiforgeryAsync(string path)
    {
        var html = await Http.GetStringAsync(path);
        var m = TokenField().Match(html);
        Assert.True(m.Success, $"no antiforgery field on {path}");
        return new(WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value));
    }

    public async Task<HttpResponseMessage> SignInAsync(string user, string password)
    {
        var token = await AntiforgeryAsync("/login");
        return await PostFormAsync("/login", [token, new("user", user), new("password", password), new("returnUrl", "/alerts")], BaseUrl);
    }

    /// <summary>Posts a form as a browser would, with the given Origin header (the page's own, or another site's).</summary>
    public Task<HttpResponseMessage> PostFormAsync(string path, IEnumerable<KeyValuePair<string, string>> fields, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Add("Origin", origin);
        return Http.SendAsync(request);
    }

    public void Dispose()
    {
        Http.Dispose();
        _handler.Dispose();
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(__RequestVerificationToken)\" value=\"([^\"]*)\">")]
    private static partial Regex TokenField();
}
