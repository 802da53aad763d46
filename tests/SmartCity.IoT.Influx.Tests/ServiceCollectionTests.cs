using SmartCity.IoT.Core.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.DeadLetters;
using SmartCity.IoT.Influx.Tests.Fixtures;

namespace SmartCity.IoT.Influx.Tests;

public sealed class ServiceCollectionTests
{
    private static IHost Build(Dictionary<string, string?> settings, Action<IServiceCollection>? before = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        before?.Invoke(builder.Services);
        builder.Services.AddInfluxStore(builder.Configuration);
        return builder.Build();
    }

    [Fact]
    public async Task Rejected_lines_go_to_the_one_dead_letter_store_configured_by_the_DeadLetter_section()
    {
        using var dir = new TempDir();
        await using var server = await FaultServer.StartAsync(_ => new FaultResponse(400, "{\"error\":\"partial write: unable to parse 'bad': invalid field format dropped=0\"}"));
        using var host = Build(new()
        {
            ["Influx:Url"] = server.Url, ["Influx:Api"] = "v1", ["Influx:CreateDatabase"] = "false", ["Influx:Database"] = "db", ["Influx:Gzip"] = "false",
            ["Spool:Path"] = dir.Sub("spool"), ["DeadLetter:Path"] = dir.Sub("dead"), ["DeadLetter:PayloadBytes"] = "2",
        });
        await host.StartAsync();

        await host.Services.GetRequiredService<ITelemetrySink>().WriteAsync(Batches.Of("m v=1 1", "bad"), 2, CancellationToken.None);

        var store = host.Services.GetRequiredService<DeadLetterStore>();
        Assert.Equal(dir.Sub("dead"), store.DirectoryPath);
        Assert.Equal(1, store.RecordsWritten);
        var record = Assert.Single(store.Recent());
        Assert.Equal(("influx-rejected", "ba", true, 400), (record.Kind, record.Payload, record.Truncated, record.Status));
        Assert.Single(File.ReadAllLines(store.CurrentFile));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_dead_letter_store_the_host_registered_first_is_the_one_used()
    {
        using var dir = new TempDir();
        using var own = new DeadLetterStore(new DeadLetterOptions { Path = dir.Sub("own") });
        using var host = Build(new() { ["Influx:Url"] = "", ["Spool:Path"] = dir.Sub("spool"), ["DeadLetter:Path"] = dir.Sub("ignored") }, s => s.AddSingleton(own));
        await host.StartAsync();

        Assert.Same(own, host.Services.GetRequiredService<DeadLetterStore>());
        Assert.Single(host.Services.GetServices<DeadLetterStore>());
        await host.StopAsync();
    }

    [Fact]
    public async Task Invalid_dead_letter_settings_stop_the_start_and_name_each_key()
    {
        using var dir = new TempDir();
        using var host = Build(new()
        {
            ["Influx:Url"] = "", ["Spool:Path"] = dir.Sub("spool"),
            ["DeadLetter:Path"] = "", ["DeadLetter:MaxBytes"] = "1000", ["DeadLetter:PayloadBytes"] = "-1",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("DeadLetter:Path is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("DeadLetter:MaxBytes 1000 must be at least 4096", error.Message, StringComparison.Ordinal);
        Assert.Contains("DeadLetter:PayloadBytes -1 must be between 0 and 16777216", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddInfluxStore_in_spool_only_mode_stores_batches_in_the_configured_spool()
    {
        using var dir = new TempDir();
        using var host = Build(new() { ["Influx:Url"] = "", ["Spool:Path"] = dir.Sub("spool"), ["Spool:MaxBytes"] = "1048576", ["Spool:SegmentBytes"] = "65536" });
        await host.StartAsync();

        var store = host.Services.GetRequiredService<ITelemetrySink>();
        await store.WriteAsync(Batches.Numbered("m", 0, 7), 7, CancellationToken.None);

        var status = host.Services.GetRequiredService<StoreStatus>();
        Assert.False(status.InfluxConfigured);
        Assert.Equal(7, status.SpoolLines);
        Assert.Equal(1048576, status.SpoolMaxBytes);
        Assert.True(status.IsReady);
        Assert.Single(Directory.GetFiles(dir.Sub("spool"), "seg-*.spool"));
        await host.StopAsync();
    }

    [Fact]
    public async Task AddInfluxStore_writes_to_the_configured_server()
    {
        using var dir = new TempDir();
        await using var server = await FaultServer.StartAsync();
        using var host = Build(new()
        {
            ["Influx:Url"] = server.Url, ["Influx:Api"] = "v1", ["Influx:CreateDatabase"] = "false", ["Influx:Database"] = "db", ["Influx:Gzip"] = "false",
            ["Spool:Path"] = dir.Sub("spool"),
        });
        await host.StartAsync();

        await host.Services.GetRequiredService<ITelemetrySink>().WriteAsync(Batches.Of("m v=1 1"), 1, CancellationToken.None);

        Assert.Equal("m v=1 1\n", Assert.Single(server.Requests).Body);
        Assert.Equal(1, host.Services.GetRequiredService<StoreStatus>().Written);
        await host.StopAsync();
    }

    [Fact]
    public async Task Invalid_settings_stop_the_start_and_name_each_key()
    {
        using var dir = new TempDir();
        using var host = Build(new()
        {
            ["Influx:Url"] = "ftp://influx", ["Influx:BatchSize"] = "0",
            ["Spool:Path"] = dir.Sub("spool"), ["Spool:MaxBytes"] = "1000",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Influx:Url 'ftp://influx'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Influx:BatchSize 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void V2_without_bucket_and_v1_without_database_are_refused()
    {
        var validator = new InfluxOptionsValidator();

        var v2 = validator.Validate(null, new InfluxOptions { Url = "http://x:8086", Api = InfluxApi.V2 });
        var v1 = validator.Validate(null, new InfluxOptions { Url = "http://x:8086", Api = InfluxApi.V1, Username = "u" });
        var spool = new SpoolOptionsValidator().Validate(null, new SpoolOptions { Path = "s", SegmentBytes = 1 << 20, MaxBytes = 1 << 20 });

        Assert.Contains("Influx:Bucket is required", v2.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Influx:Org is required", v2.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Influx:Database is required", v1.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Influx:Password is required", v1.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Spool:MaxBytes", spool.FailureMessage, StringComparison.Ordinal);
    }
}
