using SmartCity.IoT.Core.Pipeline;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using SmartCity.IoT.Influx.Tests.Fixtures;

namespace SmartCity.IoT.Influx.Tests;

/// <summary>The status-code policy against a Kestrel server that injects each failure on demand.</summary>
public sealed class InfluxWriterFaultTests
{
    private static InfluxOptions V2(string url) => new()
    {
        Url = url, Api = InfluxApi.V2, Org = "acme", Bucket = "tele metry", Token = "s3cret",
        RetryBudget = TimeSpan.FromSeconds(3), MaxRetries = 3, ReplayMaxDelay = TimeSpan.FromMilliseconds(200), Gzip = true,
    };

    [Theory]
    [InlineData("http://influx.example.internal:8086", null, true)]
    [InlineData("https://10.0.0.7:8086", null, true)]
    [InlineData("http://127.0.0.1:8086", null, false)]
    [InlineData("http://localhost:8086", null, false)]
    [InlineData("http://[::1]:8086", null, false)]
    [InlineData("http://127.0.0.1:8086", true, true)]
    [InlineData("http://influx.example.internal:8086", false, false)]
    public void Bodies_are_compressed_unless_InfluxDB_is_on_this_machine_or_the_setting_says(string url, bool? gzip, bool compressed) =>
        Assert.Equal(compressed, new InfluxOptions { Url = url, Gzip = gzip }.CompressBodies);

    [Fact]
    public async Task A_loopback_InfluxDB_gets_plain_bodies_by_default()
    {
        await using var server = await FaultServer.StartAsync();
        await using var h = new StoreHarness(new InfluxOptions { Url = server.Url, Api = InfluxApi.V1, CreateDatabase = false, Database = "db" });
        var batch = Batches.Numbered("m", 0, 5);

        await h.Store.WriteAsync(batch, 5, CancellationToken.None);

        var request = Assert.Single(server.Requests);
        Assert.Null(request.ContentEncoding);
        Assert.Equal(Encoding.UTF8.GetString(batch), request.Body);
    }

    [Fact]
    public async Task V2_writes_gzip_with_org_bucket_precision_and_token()
    {
        await using var server = await FaultServer.StartAsync();
        await using var h = new StoreHarness(V2(server.Url));
        var batch = Batches.Numbered("m", 0, 20);

        await h.Store.WriteAsync(batch, 20, CancellationToken.None);

        var request = Assert.Single(server.Requests);
        Assert.Equal("/api/v2/write?org=acme&bucket=tele%20metry&precision=ns", request.PathAndQuery);
        Assert.Equal("Token s3cret", request.Authorization);
        Assert.Equal("gzip", request.ContentEncoding);
        Assert.Equal(Encoding.UTF8.GetString(batch), request.Body);
        Assert.Equal(20, h.Status.Written);
        Assert.Equal(0, h.Status.Spooled);
        Assert.True(h.Status.LastWriteOk);
    }

    [Fact]
    public async Task V1_writes_db_rp_precision_n_with_basic_auth_and_no_credentials_in_the_url()
    {
        await using var server = await FaultServer.StartAsync();
        var options = new InfluxOptions
        {
            Url = server.Url + "/", Api = InfluxApi.V1, CreateDatabase = false, Database = "telemetry", RetentionPolicy = "one_year",
            Username = "gw", Password = "p@ss", Gzip = false,
        };
        await using var h = new StoreHarness(options);

        await h.Store.WriteAsync(Batches.Of("m v=1 1"), 1, CancellationToken.None);

        var request = Assert.Single(server.Requests);
        Assert.Equal("/write?db=telemetry&precision=n&rp=one_year", request.PathAndQuery);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("gw:p@ss")), request.Authorization);
        Assert.Null(request.ContentEncoding);
        Assert.Equal("m v=1 1\n", request.Body);
    }

    [Fact]
    public async Task Status_413_splits_the_batch_until_each_part_is_accepted()
    {
        await using var server = await FaultServer.StartAsync(r => new FaultResponse(r.Lines.Length > 3 ? 413 : 204));
        await using var h = new StoreHarness(V2(server.Url));

        await h.Store.WriteAsync(Batches.Numbered("m", 0, 10), 10, CancellationToken.None);

        var accepted = server.Requests.Where(r => r.Lines.Length <= 3).ToList();
        Assert.Equal(Enumerable.Range(0, 10).Select(k => $"v={k}"), accepted.SelectMany(r => r.Lines).Select(l => l.Split(' ')[1]));
        Assert.Contains(server.Requests, r => r.Lines.Length == 10);
        Assert.Equal(10, h.Status.Written);
        Assert.Equal(0, h.Status.Spooled);
    }

    [Fact]
    public async Task Status_413_for_a_single_line_sends_that_line_to_the_dead_letter_store()
    {
        var huge = "m s=\"" + new string('x', 5000) + "\" 9";
        await using var server = await FaultServer.StartAsync(r => new FaultResponse(r.Body.Length > 4000 ? 413 : 204));
        await using var h = new StoreHarness(V2(server.Url));

        await h.Store.WriteAsync(Batches.Of("m v=1 1", huge, "m v=2 2", "m v=3 3"), 4, CancellationToken.None);

        Assert.Equal(3, h.Status.Written);
        Assert.Equal(1, h.Status.RejectedLines);
        var record = Assert.Single(h.DeadLetterRecords());
        Assert.Equal(huge, record.GetProperty("payload").GetString());
        Assert.Equal(413, record.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Status_503_with_Retry_After_is_honoured_before_the_next_attempt()
    {
        var calls = 0;
        await using var server = await FaultServer.StartAsync(_ => Interlocked.Increment(ref calls) == 1 ? new FaultResponse(503, "busy", RetryAfter: "1") : new FaultResponse(204));
        await using var h = new StoreHarness(V2(server.Url));

        await h.Store.WriteAsync(Batches.Numbered("m", 0, 5), 5, CancellationToken.None);

        var requests = server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromSeconds(1), $"second attempt after {(requests[1].At - requests[0].At).TotalMilliseconds} ms");
        Assert.Equal(5, h.Status.Written);
        Assert.Equal(0, h.Status.Spooled);
    }

    [Fact]
    public async Task Status_429_with_a_long_Retry_After_spools_and_replay_waits_until_then()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-23T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var calls = 0;
        await using var server = await FaultServer.StartAsync(_ => Interlocked.Increment(ref calls) == 1 ? new FaultResponse(429, "slow down", RetryAfter: "60") : new FaultResponse(204));
        await using var h = new StoreHarness(V2(server.Url), time: time);

        await h.Store.WriteAsync(Batches.Numbered("m", 0, 5), 5, CancellationToken.None);
        Assert.Equal(5, h.Status.Spooled);
        Assert.Equal(time.GetUtcNow().AddSeconds(60).AddMilliseconds(50), h.Writer!.NotBefore); // Retry-After plus the writer's 50 ms guard

        await h.StartReplayAsync();
        await Task.Delay(300);
        time.Advance(TimeSpan.FromSeconds(59));
        await Task.Delay(300);
        Assert.Single(server.Requests); // nothing before Retry-After has passed

        time.Advance(TimeSpan.FromSeconds(2));
        await Eventually.UntilAsync(() => h.Status.Replayed == 5, TimeSpan.FromSeconds(10), "the spooled batch to be replayed");
        Assert.Equal(2, server.Requests.Count);
        Assert.True(h.Spool.IsEmpty);
    }

    [Fact]
    public async Task Status_401_holds_the_data_with_an_alarm_and_replays_once_the_credentials_work()
    {
        var authorised = false;
        await using var server = await FaultServer.StartAsync(_ => Volatile.Read(ref authorised) ? new FaultResponse(204) : new FaultResponse(401, "{\"code\":\"unauthorized\",\"message\":\"unauthorized access\"}"));
        await using var h = new StoreHarness(V2(server.Url));

        await h.Store.WriteAsync(Batches.Numbered("m", 0, 5), 5, CancellationToken.None);
        Assert.Contains("401", h.Status.Holding, StringComparison.Ordinal);
        Assert.Contains("Influx:Token", h.Status.Holding, StringComparison.Ordinal);
        Assert.True(h.Status.InfluxDown);
        Assert.False(h.Status.LastWriteOk);

        // While held, new batches go straight to the spool (no request, no retry storm).
        await h.Store.WriteAsync(Batches.Numbered("m", 5, 5), 5, CancellationToken.None);
        Assert.Single(server.Requests);
        Assert.Equal(10, h.Status.Spooled);
        Assert.Empty(h.DeadLetterRecords());

        Volatile.Write(ref authorised, true);
        await h.StartReplayAsync();
        await Eventually.UntilAsync(() => h.Status.Replayed == 10, TimeSpan.FromSeconds(10), "the held batches to be replayed");
        Assert.Null(h.Status.Holding);
        Assert.Null(h.Status.LastError);
        Assert.True(h.Status.LastWriteOk);
        Assert.Equal(Enumerable.Range(0, 10).Select(k => $"v={k}"), server.Requests.Where(r => r.Number > 1).SelectMany(r => r.Lines).Select(l => l.Split(' ')[1]));
    }

    [Fact]
    public async Task Status_500_is_retried_with_backoff_within_the_budget_then_spooled()
    {
        await using var server = await FaultServer.StartAsync(_ => new FaultResponse(500, "{\"error\":\"engine: cache full\"}"));
        var options = V2(server.Url);
        options.MaxRetries = 2;
        await using var h = new StoreHarness(options);

        await h.Store.WriteAsync(Batches.Numbered("m", 0, 5), 5, CancellationToken.None);

        var requests = server.Requests.ToArray();
        Assert.Equal(3, requests.Length);
        // Polly's exponential backoff with jitter (base 200 ms): the first two delays add up to at least ~275 ms.
        Assert.True(requests[2].At - requests[0].At > TimeSpan.FromMilliseconds(200), "the retries were not spaced by the backoff");
        Assert.Equal(5, h.Status.Spooled);
        Assert.Contains("500", h.Status.LastError, StringComparison.Ordinal);
        Assert.Null(h.Status.Holding);
    }

    [Fact]
    public async Task A_refused_connection_spools_and_later_batches_skip_the_retry_while_InfluxDB_is_away()
    {
        var options = V2($"http://127.0.0.1:{FreePort.Next()}");
        options.MaxRetries = 1;
        await using var h = new StoreHarness(options);

        await h.Store.WriteAsync(Batches.Numbered("m", 0, 5), 5, CancellationToken.None);
        var started = DateTime.UtcNow;
        await h.Store.WriteAsync(Batches.Numbered("m", 5, 5), 5, CancellationToken.None);

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromMilliseconds(500));
        Assert.Equal(10, h.Spool.PendingLines);
        Assert.True(h.Status.InfluxDown);
        Assert.NotNull(h.Status.LastError);
    }

    [Fact]
    public async Task A_server_that_never_answers_costs_a_live_batch_at_most_the_budget_then_it_is_spooled()
    {
        await using var server = await FaultServer.StartAsync(_ => new FaultResponse(204, Delay: TimeSpan.FromSeconds(30)));
        var options = V2(server.Url);
        options.Timeout = TimeSpan.FromMilliseconds(300);
        options.RetryBudget = TimeSpan.FromMilliseconds(500);
        options.MaxRetries = 5;
        await using var h = new StoreHarness(options);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await h.Store.WriteAsync(Batches.Numbered("m", 0, 5), 5, CancellationToken.None);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        Assert.Equal(5, h.Spool.PendingLines);
        Assert.True(h.Status.InfluxDown);
        Assert.Contains("RetryBudget", h.Status.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_spool_cannot_be_written_the_batch_waits_unacknowledged_and_is_stored_once_it_can()
    {
        await using var h = new StoreHarness(new InfluxOptions());
        Directory.Delete(h.SpoolPath, recursive: true); // the next segment cannot be created

        var store = h.Store.WriteAsync(Batches.Numbered("m", 0, 5), 5, CancellationToken.None).AsTask();
        await Eventually.UntilAsync(() => h.Status.SpoolError is not null, TimeSpan.FromSeconds(5), "the spool error to be reported");
        Assert.False(store.IsCompleted);
        Assert.False(h.Status.IsReady);

        Directory.CreateDirectory(h.SpoolPath);
        await store.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Null(h.Status.SpoolError);
        Assert.Equal(5, h.Spool.PendingLines);
        Assert.Single(Directory.GetFiles(h.SpoolPath, "seg-*.spool"));
    }

    [Fact]
    public async Task V1_without_a_user_sends_the_token_as_InfluxDB_2_and_3_expect_on_their_v1_endpoint()
    {
        await using var server = await FaultServer.StartAsync();
        await using var h = new StoreHarness(new InfluxOptions { Url = server.Url, Api = InfluxApi.V1, CreateDatabase = false, Database = "db", Token = "tok" });

        await h.Store.WriteAsync(Batches.Of("m v=1 1"), 1, CancellationToken.None);

        Assert.Equal("Token tok", Assert.Single(server.Requests).Authorization);
    }

    [Fact]
    public async Task A_missing_bucket_on_InfluxDB_2_is_held_and_the_alarm_names_the_bucket()
    {
        await using var server = await FaultServer.StartAsync(_ => new FaultResponse(404, "{\"code\":\"not found\",\"message\":\"bucket \\\"tele metry\\\" not found\"}", InfluxVersion: "v2.7.11"));
        await using var h = new StoreHarness(V2(server.Url));

        await h.Store.WriteAsync(Batches.Of("m v=1 1"), 1, CancellationToken.None);

        Assert.Contains("bucket 'tele metry'", h.Status.Holding, StringComparison.Ordinal);
        Assert.Contains("not found", h.Status.Holding, StringComparison.Ordinal);
        Assert.DoesNotContain("use Api=v1", h.Status.Holding, StringComparison.Ordinal);
        Assert.Equal(1, h.Spool.PendingLines);
    }

    [Fact]
    public async Task Spool_only_mode_keeps_every_batch_in_the_spool()
    {
        await using var h = new StoreHarness(new InfluxOptions());

        await h.Store.WriteAsync(Batches.Numbered("m", 0, 5), 5, CancellationToken.None);

        Assert.Null(h.Writer);
        Assert.False(h.Status.InfluxConfigured);
        Assert.Equal(5, h.Spool.PendingLines);
        Assert.Equal(5, h.Status.Spooled);
        Assert.True(h.Status.SpoolBytes > 0);
    }
}
