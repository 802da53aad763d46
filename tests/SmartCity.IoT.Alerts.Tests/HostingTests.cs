using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Alerts.Tests;

/// <summary>AddAlertDelivery and MapAlertEndpoints in a real host, as the gateway wires them.</summary>
public sealed class HostingTests
{
    private static Dictionary<string, string?> Config(string outbox, string url, string? extraKey = null, string? extraValue = null)
    {
        var c = new Dictionary<string, string?>
        {
            ["Alerts:OutboxPath"] = outbox,
            ["Alerts:ExternalUrl"] = "http://gateway.local:8080",
            ["Alerts:GroupWait"] = "00:00:00",
            ["Alerts:GroupInterval"] = "00:00:00.200",
            ["Alerts:RetrySchedule:0"] = "00:00:00.100",
            ["Webhooks:0:Name"] = "ops",
            ["Webhooks:0:Url"] = url,
            ["Webhooks:0:Secret"] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            ["Webhooks:0:Format"] = "Alertmanager",
            ["Webhooks:0:MinSeverity"] = "Warning",
        };
        if (extraKey is not null)
        {
            c[extraKey] = extraValue;
        }

        return c;
    }

    [Fact]
    public async Task Host_delivers_firing_then_resolved_committed_to_IAlertOutbox()
    {
        await using var receiver = await Receiver.StartAsync(200);
        using var dir = new TempDir();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(Config(dir.Sub("data/alerts.db"), receiver.Url));
        builder.Services.AddAlertDelivery(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var outbox = host.Services.GetRequiredService<IAlertOutbox>();
            var firing = TestAlerts.Firing();
            outbox.Commit([TestAlerts.Firing(device: "quiet", severity: AlertSeverity.Info)]); // below MinSeverity
            outbox.Commit([firing]);
            await Eventually.UntilAsync(() => receiver.Answered.Count >= 1, TimeSpan.FromSeconds(10), "the firing");
            var source = host.Services.GetRequiredService<IFiringAlertSource>();
            Assert.Equal(["ems-0042", "quiet"], source.FiringAlerts().Select(a => a.DeviceId).Order(StringComparer.Ordinal).ToList()); // routed or not, sent or not
            outbox.Commit([TestAlerts.Resolved(firing, firing.StartsAt.AddMinutes(5))]);
            await Eventually.UntilAsync(() => receiver.Answered.Count >= 2, TimeSpan.FromSeconds(10), "the resolve");
            Assert.Equal(["quiet"], source.FiringAlerts().Select(a => a.DeviceId).ToList());
        }
        finally
        {
            await host.StopAsync();
        }

        var list = receiver.Requests.OrderBy(r => r.Call).ToList();
        Assert.Equal(2, list.Count);
        Assert.Equal(["firing", "resolved"], list.Select(r => r.Json.GetProperty("status").GetString()!).ToList());
        Assert.All(list, r => Assert.StartsWith("v1,", r.Headers["webhook-signature"], StringComparison.Ordinal));
        Assert.Equal("ems-0042", list[0].Json.GetProperty("alerts")[0].GetProperty("labels").GetProperty("device").GetString());
        Assert.True(File.Exists(dir.Sub("data/alerts.db")));
    }

    [Theory]
    [InlineData("Webhooks:0:Url", "ftp://x", "Webhooks:0:Url 'ftp://x' is not an absolute http(s) URL")]
    [InlineData("Webhooks:0:Secret", "hunter2", "Webhooks:0: secret #1 must start with 'whsec_'")]
    [InlineData("Webhooks:0:Matchers:0", "building", "Webhooks:0:Matchers:0: matcher 'building'")]
    [InlineData("Alerts:ExternalUrl", "status", "Alerts:ExternalUrl 'status' is not an absolute http(s) URL")]
    [InlineData("Alerts:RetryJitter", "3", "Alerts:RetryJitter 3 must be between 0 and 1")]
    [InlineData("Webhooks:1:Name", "ops", "Webhooks:1:Name 'ops' is used by another endpoint")]
    public async Task Bad_configuration_fails_at_start_naming_the_setting(string key, string value, string expected)
    {
        using var dir = new TempDir();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        var config = Config(dir.Sub("alerts.db"), "http://127.0.0.1:9/hook", key, value);
        if (key.StartsWith("Webhooks:1", StringComparison.Ordinal))
        {
            config["Webhooks:1:Url"] = "http://127.0.0.1:9/other";
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.Services.AddAlertDelivery(builder.Configuration);
        using var host = builder.Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(ex.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Http_api_acknowledges_silences_and_retries_dead_letters()
    {
        var reject = true;
        await using var receiver = await Receiver.StartAsync((call, ctx) =>
        {
            ctx.Response.StatusCode = Volatile.Read(ref reject) ? 422 : 200;
            return Task.CompletedTask;
        });
        using var dir = new TempDir();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(Config(dir.Sub("alerts.db"), receiver.Url));
        builder.Services.AddAlertDelivery(builder.Configuration);
        await using var app = builder.Build();
        app.MapAlertEndpoints();
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
        try
        {
            var firing = TestAlerts.Firing();
            app.Services.GetRequiredService<IAlertOutbox>().Commit([firing]);
            await Eventually.UntilAsync(() => receiver.Answered.Count >= 1, TimeSpan.FromSeconds(10), "the rejected delivery");

            // Alerts and acknowledgement
            var alerts = await http.GetFromJsonAsync<JsonElement>("/api/alerts");
            Assert.Equal(firing.Fingerprint, alerts[0].GetProperty("fingerprint").GetString());
            Assert.False(alerts[0].GetProperty("acknowledged").GetBoolean());
            var ack = await http.PostAsJsonAsync($"/api/alerts/{firing.Fingerprint}/ack", new { by = "ana", comment = "replacing filter" });
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
            var acked = await http.GetFromJsonAsync<JsonElement>($"/api/alerts/{firing.Fingerprint}");
            Assert.True(acked.GetProperty("acknowledged").GetBoolean());
            Assert.Equal("ana", acked.GetProperty("acknowledgedBy").GetString());
            Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/api/alerts/unknown/ack", null)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync($"/api/alerts/{firing.Fingerprint}/ack")).StatusCode);

            // Silences
            var created = await http.PostAsJsonAsync("/api/silences", new { matchers = new[] { "building=\"hq\"" }, duration = "01:00:00", createdBy = "ana", comment = "works" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var silenceId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
            Assert.True((await http.GetFromJsonAsync<JsonElement>($"/api/alerts/{firing.Fingerprint}")).GetProperty("silenced").GetBoolean());
            var bad = await http.PostAsJsonAsync("/api/silences", new { matchers = new[] { "building=~\"(\"" }, duration = "01:00:00" });
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("invalid regex", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(1, (await http.GetFromJsonAsync<JsonElement>("/api/silences")).GetArrayLength());
            Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/silences/{silenceId}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync($"/api/silences/{silenceId}")).StatusCode);

            // Dead letters: the 422 went straight there; retry it once the receiver accepts.
            var dead = await http.GetFromJsonAsync<JsonElement>("/api/dead-letters");
            Assert.Equal(1, dead.GetArrayLength());
            Assert.Contains("HTTP 422", dead[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
            Volatile.Write(ref reject, false);
            var id = dead[0].GetProperty("id").GetInt64();
            Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync($"/api/dead-letters/{id}/retry", null)).StatusCode);
            await Eventually.UntilAsync(() => receiver.Answered.Count >= 2, TimeSpan.FromSeconds(10), "the retried delivery");
            Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync($"/api/dead-letters/{id}/retry", null)).StatusCode);
            var requests = receiver.Requests.OrderBy(r => r.Call).ToList();
            Assert.Equal(requests[0].WebhookId, requests[1].WebhookId);

            var endpoints = await http.GetFromJsonAsync<JsonElement>("/api/webhooks");
            Assert.Equal("ops", endpoints[0].GetProperty("name").GetString());
            Assert.False(endpoints[0].GetProperty("disabled").GetBoolean());
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
