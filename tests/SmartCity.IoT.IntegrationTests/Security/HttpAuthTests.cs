using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using SmartCity.IoT.Gateway.Security;

namespace SmartCity.IoT.IntegrationTests.Security;

/// <summary>
/// Issue 16: the HTTP surface through real HTTP. The state-changing routes come from the gateway's own route table, so a
/// route added later is checked too: it must carry the operator policy, answer 401 without credentials, 403 for a viewer,
/// and refuse a cross-origin form post even with a valid cookie.
/// </summary>
public sealed partial class HttpAuthTests(AuthGatewayFixture fixture) : IClassFixture<AuthGatewayFixture>
{
    private const string Evil = "http://evil.example";

    /// <summary>Not under the page's authentication: probes, metrics, sign-in/out, and the ingest prefix (its own per-source tokens).</summary>
    private static readonly string[] Exempt = ["/healthz", "/readyz", "/metrics", "/login", "/logout", "/ingest"];

    [Fact]
    public void Every_state_changing_route_requires_the_operator_policy()
    {
        var routes = Routes().Where(r => !r.Read).ToList();
        Assert.True(routes.Count >= 12, "state-changing routes found: " + string.Join(", ", routes.Select(r => r.Method + " " + r.Pattern)));
        foreach (var route in routes)
        {
            var policies = route.Endpoint.Metadata.OfType<IAuthorizeData>().Select(a => a.Policy).ToList();
            Assert.True(policies.Contains(HttpRoles.OperatorPolicy) && route.Endpoint.Metadata.OfType<IAllowAnonymous>().FirstOrDefault() is null,
                $"{route.Method} {route.Pattern} changes state but is not under the operator policy (policies: {string.Join(", ", policies)})");
        }

        foreach (var route in Routes().Where(r => r.Read))
        {
            Assert.Contains(HttpRoles.ViewerPolicy, route.Endpoint.Metadata.OfType<IAuthorizeData>().Select(a => a.Policy));
        }
    }

    [Fact]
    public async Task Every_state_changing_route_answers_401_without_credentials_and_403_for_a_viewer()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) };
        using var viewerToken = Bearer(AuthGatewayFixture.ViewerToken);
        using var viewer = new PageClient(fixture.BaseUrl);
        Assert.Equal(HttpStatusCode.Redirect, (await viewer.SignInAsync(AuthGatewayFixture.Viewer, AuthGatewayFixture.ViewerPassword)).StatusCode);
        var token = await viewer.AntiforgeryAsync("/silences");
        foreach (var route in Routes().Where(r => !r.Read))
        {
            var url = route.Url;
            Assert.True(HttpStatusCode.Unauthorized == (await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(route.Method), url))).StatusCode, $"{route.Method} {url} without credentials");
            var asViewer = await viewerToken.SendAsync(new HttpRequestMessage(new HttpMethod(route.Method), url) { Content = route.TakesForm ? new FormUrlEncodedContent([token]) : JsonContent.Create(new { }) });
            Assert.True(HttpStatusCode.Forbidden == asViewer.StatusCode, $"{route.Method} {url} with a viewer token: {(int)asViewer.StatusCode}");
            var fromPage = new HttpRequestMessage(new HttpMethod(route.Method), url) { Content = route.TakesForm ? new FormUrlEncodedContent([token, new("back", "/")]) : JsonContent.Create(new { }) };
            fromPage.Headers.Add("Origin", fixture.BaseUrl);
            var viewerCookie = await viewer.Http.SendAsync(fromPage);
            Assert.True(HttpStatusCode.Forbidden == viewerCookie.StatusCode, $"{route.Method} {url} as a signed-in viewer from the page: {(int)viewerCookie.StatusCode}");
        }
    }

    [Fact]
    public async Task A_cross_origin_form_post_is_refused_even_with_an_operator_cookie()
    {
        using var client = new PageClient(fixture.BaseUrl);
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync(AuthGatewayFixture.Operator, AuthGatewayFixture.OperatorPassword)).StatusCode);
        var session = Assert.Single(client.Cookies, c => c.Name == "smartcity.session");
        Assert.True(session.HttpOnly, "the session cookie must be HttpOnly");
        var token = await client.AntiforgeryAsync("/silences");
        foreach (var route in Routes().Where(r => !r.Read))
        {
            var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Url) { Content = new FormUrlEncodedContent([token, new("back", "/"), new("matchers", "alertname=~\".+\""), new("duration", "3650.00:00:00")]) };
            request.Headers.Add("Origin", Evil);
            var response = await client.Http.SendAsync(request);
            if (route.TakesForm)
            {
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{route.Method} {route.Url} form from {Evil}: {(int)response.StatusCode}");
                Assert.Contains("cross-origin", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
            else
            {
                // A JSON endpoint refuses the form's content type before anything else; with JSON, the origin check refuses it.
                Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.UnsupportedMediaType, $"{route.Method} {route.Url} form from {Evil}: {(int)response.StatusCode}");
                var json = new HttpRequestMessage(new HttpMethod(route.Method), route.Url) { Content = JsonContent.Create(new { matchers = new[] { "alertname=~\".+\"" }, duration = "3650.00:00:00" }) };
                json.Headers.Add("Origin", Evil);
                var jsonResponse = await client.Http.SendAsync(json);
                Assert.True(jsonResponse.StatusCode == HttpStatusCode.Forbidden, $"{route.Method} {route.Url} JSON from {Evil}: {(int)jsonResponse.StatusCode}");
                Assert.Contains("cross-origin", await jsonResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }

        Assert.DoesNotContain(fixture.Gateway.Get<SmartCity.IoT.Alerts.AlertStatusService>().GetSilences(), s => s.Matchers.Contains("alertname=~\".+\""));

        // The same form from the page itself works, and the silence is the signed-in user's, not a typed name.
        var own = await client.PostFormAsync("/silences", [token, new("back", "/silences"), new("matchers", "building=\"auth-test\""), new("duration", "00:10:00"), new("by", "mallory")], fixture.BaseUrl);
        Assert.Equal(HttpStatusCode.Redirect, own.StatusCode);
        Assert.Contains("notice=Silence%20created", own.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var silence = Assert.Single(fixture.Gateway.Get<SmartCity.IoT.Alerts.AlertStatusService>().GetSilences(), s => s.Matchers.Contains("building=\"auth-test\""));
        Assert.Equal(AuthGatewayFixture.Operator, silence.CreatedBy);
        Assert.True(fixture.Gateway.Get<SmartCity.IoT.Alerts.AlertStatusService>().ExpireSilence(silence.Id));
    }

    [Fact]
    public async Task The_json_api_refuses_simple_form_content_types_and_names_the_token_holder()
    {
        using var ops = Bearer(AuthGatewayFixture.OperatorToken);
        foreach (var content in new HttpContent[] { new FormUrlEncodedContent([new("x", "1")]), new MultipartFormDataContent { { new StringContent("1"), "x" } }, new StringContent("{}", Encoding.UTF8, "text/plain") })
        {
            var response = await ops.PostAsync("/api/webhooks/oncall/enable", content);
            Assert.True(response.StatusCode == HttpStatusCode.UnsupportedMediaType, $"{content.Headers.ContentType}: {(int)response.StatusCode}");
        }

        var created = await ops.PostAsJsonAsync("/api/silences", new { matchers = new[] { "building=\"bearer-test\"" }, duration = "00:05:00", createdBy = "mallory" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var silence = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(AuthGatewayFixture.OperatorTokenName, silence.GetProperty("createdBy").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await ops.DeleteAsync("/api/silences/" + silence.GetProperty("id").GetString())).StatusCode);

        using var wrong = Bearer(GeneratedLogin.NewSecret(32));
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/api/alerts")).StatusCode);
    }

    [Fact]
    public async Task Reads_need_a_viewer_when_anonymous_reads_are_off()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(fixture.BaseUrl) };
        using var viewer = Bearer(AuthGatewayFixture.ViewerToken);
        foreach (var route in Routes().Where(r => r.Read))
        {
            var response = await anonymous.GetAsync(route.Url);
            if (route.Pattern.StartsWith("/api", StringComparison.Ordinal))
            {
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"GET {route.Url} anonymously: {(int)response.StatusCode}");
            }
            else
            {
                Assert.True(response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.OriginalString.Contains("/login", StringComparison.Ordinal), $"GET {route.Url} anonymously: {(int)response.StatusCode} {response.Headers.Location}");
            }

            var allowed = await viewer.GetAsync(route.Url);
            Assert.True(allowed.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"GET {route.Url} as viewer: {(int)allowed.StatusCode}");
        }

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_and_logout_ends_the_session()
    {
        using var client = new PageClient(fixture.BaseUrl);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SignInAsync(AuthGatewayFixture.Operator, "not-the-password")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SignInAsync("nobody", AuthGatewayFixture.OperatorPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync(AuthGatewayFixture.Viewer, AuthGatewayFixture.ViewerPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/api/alerts")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.PostFormAsync("/logout", [await client.AntiforgeryAsync("/alerts")], fixture.BaseUrl)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.Http.GetAsync("/api/alerts")).StatusCode);
    }

    private HttpClient Bearer(string token)
    {
        var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(fixture.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private sealed record Route(string Method, string Pattern, RouteEndpoint Endpoint)
    {
        public bool Read => Method is "GET" or "HEAD";

        /// <summary>A page form (antiforgery-checked, form content); the others are the JSON API.</summary>
        public bool TakesForm => Endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.ContentTypes.Contains("application/x-www-form-urlencoded") == true;

        /// <summary>The pattern with every parameter filled in ({id:long} and friends become 1).</summary>
        public string Url => Parameter().Replace(Pattern, "1");
    }

    private IEnumerable<Route> Routes() =>
        ((IEndpointRouteBuilder)fixture.Gateway.App).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Select(e => (e, Pattern: "/" + (e.RoutePattern.RawText ?? "").TrimStart('/')))
            .Where(x => !Exempt.Any(p => x.Pattern == p || x.Pattern.StartsWith(p + "/", StringComparison.Ordinal)))
            .SelectMany(x => (x.e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["POST"]).Select(m => new Route(m, x.Pattern, x.e)));

    [GeneratedRegex("\\{[^}]+\\}")]
    private static partial Regex Parameter();
}
