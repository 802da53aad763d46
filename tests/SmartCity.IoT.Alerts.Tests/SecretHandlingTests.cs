using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Alerts.Tests;

/// <summary>Issue 16: endpoints are signed or explicitly unsigned, and no webhook URL credential reaches the API or the outbox file.</summary>
public sealed class SecretHandlingTests
{
    private const string GoodSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    [Theory]
    [InlineData(null, null, null, "Webhooks:0:Secret is missing: requests to this endpoint would go out unsigned. Set SMARTCITY__Webhooks__0__Secret=")]
    [InlineData("", null, null, "Webhooks:0:Secret is missing")]
    [InlineData("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", null, null, "Webhooks:0: secret #1 decodes to 24 times the same byte (0x00): not a random key")]
    [InlineData("whsec_AQIDBAECAwQBAgMEAQIDBAECAwQBAgME", null, null, "decodes to only 4 different byte values in 24 bytes")]
    [InlineData("whsec_AAAA", null, null, "decodes to 3 bytes")]
    [InlineData(GoodSecret, "none", null, "Webhooks:0:Signing is 'none' but a secret is set")]
    [InlineData(null, null, "/nonexistent/smartcity-secret", "Webhooks:0:SecretFile: the file '/nonexistent/smartcity-secret' does not exist")]
    [InlineData(GoodSecret, null, "FILE", "Webhooks:0: both Secret and SecretFile are set")]
    public async Task An_endpoint_that_would_be_unsigned_by_accident_or_weakly_signed_stops_the_start(string? secret, string? signing, string? secretFile, string expected)
    {
        using var dir = new TempDir();
        if (secretFile == "FILE")
        {
            secretFile = dir.Sub("secret");
            await File.WriteAllTextAsync(secretFile, GoodSecret);
        }

        var config = Config(dir.Sub("alerts.db"), "http://127.0.0.1:9/hook", secret);
        config["Webhooks:0:Signing"] = signing;
        config["Webhooks:0:SecretFile"] = secretFile;
        using var host = BuildHost(config);
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(ex.Failures, f => f.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain(ex.Failures, f => secret is { Length: > 6 } && f.Contains(secret[6..], StringComparison.Ordinal)); // never the secret itself
    }

    [Fact]
    public async Task Signing_none_sends_unsigned_and_the_api_says_so_while_a_secret_file_signs_verifiably()
    {
        await using var receiver = await Receiver.StartAsync(200);
        using var dir = new TempDir();
        var secretFile = dir.Sub("ops-secret");
        await File.WriteAllTextAsync(secretFile, GoodSecret + "\n");
        var config = Config(dir.Sub("alerts.db"), receiver.Url, secret: null);
        config["Webhooks:0:SecretFile"] = secretFile;
        config["Webhooks:1:Name"] = "chat";
        config["Webhooks:1:Url"] = receiver.Url;
        config["Webhooks:1:Signing"] = "none";
        await using var app = BuildApp(config);
        await app.StartAsync();
        try
        {
            app.Services.GetRequiredService<IAlertOutbox>().Commit([TestAlerts.Firing()]);
            await Eventually.UntilAsync(() => receiver.Answered.Count >= 2, TimeSpan.FromSeconds(10), "one request per endpoint");
            var requests = receiver.Requests.ToList();
            Assert.Single(requests, r => !r.Headers.ContainsKey("webhook-signature"));
            var signed = Assert.Single(requests, r => r.Headers.ContainsKey("webhook-signature"));
            Assert.True(SigningTests.Verify(GoodSecret, signed.Headers, signed.Body, DateTimeOffset.UtcNow), "signed with the secret from the file");

            using var http = Client(app);
            var endpoints = (await http.GetFromJsonAsync<JsonElement>("/api/webhooks")).EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!, e => e.GetProperty("signing").GetString());
            Assert.Equal("standard-webhooks", endpoints["ops"]);
            Assert.Equal("unsigned", endpoints["chat"]);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task Credentials_in_the_url_reach_the_receiver_but_not_the_api_nor_the_outbox_file()
    {
        const string token = "tok3nS3cretValue0123456789";
        using var dir = new TempDir();
        await using var slack = await Receiver.StartAsync((_, ctx) =>
        {
            ctx.Response.StatusCode = 500;
            return Task.CompletedTask;
        }, $"/hook/{token}");
        var url = $"http://hookuser:hookp4ss@127.0.0.1:{new Uri(slack.Url).Port}/hook/{token}?sig=qu3rySig";
        var config = Config(dir.Sub("alerts.db"), url, GoodSecret);
        config["Alerts:RetrySchedule:0"] = "00:00:00.050";
        await using var app = BuildApp(config);
        await app.StartAsync();
        using var http = Client(app);
        try
        {
            app.Services.GetRequiredService<IAlertOutbox>().Commit([TestAlerts.Firing()]);
            await Eventually.UntilAsync(() => slack.Answered.Count >= 2, TimeSpan.FromSeconds(10), "two failed attempts");
            var dead = await Eventually.WaitAsync(() => http.GetFromJsonAsync<JsonElement>("/api/dead-letters"), d => d.GetArrayLength() > 0, TimeSpan.FromSeconds(10), "a dead letter in /api/dead-letters", interval: TimeSpan.FromMilliseconds(50));
            Assert.Contains("HTTP 500", dead[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
            var endpoint = (await http.GetFromJsonAsync<JsonElement>("/api/webhooks"))[0];
            Assert.Equal($"http://***@127.0.0.1:{new Uri(slack.Url).Port}/hook/***?sig=***", endpoint.GetProperty("url").GetString());

            var answers = endpoint.ToString() + dead + await http.GetStringAsync("/api/alerts");
            foreach (var secret in new[] { token, "hookp4ss", "qu3rySig", "hookuser" })
            {
                Assert.DoesNotContain(secret, answers, StringComparison.Ordinal);
            }
        }
        finally
        {
            await app.StopAsync();
        }

        SqliteConnection.ClearAllPools();
        var bytes = Directory.EnumerateFiles(dir.Path).SelectMany(File.ReadAllBytes).ToArray();
        foreach (var secret in new[] { token, "hookp4ss", "qu3rySig" })
        {
            Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, $"'{secret}' is in the outbox files");
        }
    }

    [Fact]
    public void An_outbox_from_before_redaction_loses_the_url_and_keeps_the_disabled_state_until_the_url_changes()
    {
        using var dir = new TempDir();
        var path = dir.Sub("alerts.db");
        var url = new Uri("https://hooks.slack.com/services/T000/B000/l3gacySecretToken");
        {
            var outbox = new Outbox.AlertOutbox(path, TimeProvider.System);
            // As an older gateway stored it: the full URL in the row and in the 410 reason.
            outbox.SyncEndpoints([("ops", url)]);
            outbox.DisableEndpoint("ops", $"HTTP 410 Gone from {url} at 2026-01-01");
            using var c = new SqliteConnection($"Data Source={path};Pooling=false");
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "UPDATE endpoints SET url=$u, url_hash=NULL";
            cmd.Parameters.AddWithValue("$u", url.ToString());
            cmd.ExecuteNonQuery();
        }

        {
            var outbox = new Outbox.AlertOutbox(path, TimeProvider.System);
            outbox.SyncEndpoints([("ops", url)]);
            var state = Assert.Single(outbox.GetEndpoints());
            Assert.True(state.IsDisabled, "same URL: still disabled");
            Assert.Equal("https://hooks.slack.com/services/***/***/***", state.Url);
            Assert.DoesNotContain("l3gacySecretToken", state.DisabledReason, StringComparison.Ordinal);

            outbox.SyncEndpoints([("ops", url)]);
            Assert.True(Assert.Single(outbox.GetEndpoints()).IsDisabled, "same URL, now told by its fingerprint: still disabled");
            outbox.SyncEndpoints([("ops", new Uri("https://hooks.slack.com/services/T000/B000/n3wSecretToken"))]);
            Assert.False(Assert.Single(outbox.GetEndpoints()).IsDisabled, "a new URL (only its secret part differs) enables it again");
        }

        SqliteConnection.ClearAllPools();
        var bytes = Directory.EnumerateFiles(dir.Path).SelectMany(File.ReadAllBytes).ToArray();
        Assert.True(bytes.AsSpan().IndexOf("l3gacySecretToken"u8) < 0, "the old token is still somewhere in the outbox files");
        Assert.True(bytes.AsSpan().IndexOf("n3wSecretToken"u8) < 0, "the new token is in the outbox files");
    }

    private static Dictionary<string, string?> Config(string outbox, string url, string? secret) => new()
    {
        ["Alerts:OutboxPath"] = outbox,
        ["Alerts:GroupWait"] = "00:00:00",
        ["Alerts:GroupInterval"] = "00:00:00.200",
        ["Alerts:RetrySchedule:0"] = "00:00:00.100",
        ["Alerts:PollInterval"] = "00:00:00.050",
        ["Webhooks:0:Name"] = "ops",
        ["Webhooks:0:Url"] = url,
        ["Webhooks:0:Secret"] = secret,
    };

    private static IHost BuildHost(Dictionary<string, string?> config)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(config);
        builder.Services.AddAlertDelivery(builder.Configuration);
        return builder.Build();
    }

    private static WebApplication BuildApp(Dictionary<string, string?> config)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(config);
        builder.Services.AddAlertDelivery(builder.Configuration);
        var app = builder.Build();
        app.MapAlertEndpoints();
        return app;
    }

    private static HttpClient Client(WebApplication app) =>
        new() { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
}
