using SmartCity.IoT.Core.Pipeline;
using System.Text;
using System.Text.Json;
using SmartCity.IoT.Core.DeadLetters;
using SmartCity.IoT.Influx.Tests.Fixtures;

namespace SmartCity.IoT.Influx.Tests;

/// <summary>Writes into a real InfluxDB 1.6.7 and VictoriaMetrics and reads the data back.</summary>
[Collection(RealServersCollection.Name)]
public sealed class RealInfluxTests(RealServers servers)
{
    private InfluxServer Influx => servers.Influx;

    private InfluxOptions V1(string db) => new()
    {
        Url = Influx.Url, Api = InfluxApi.V1, CreateDatabase = false, Database = db, RetryBudget = TimeSpan.FromSeconds(2), MaxRetries = 1,
        ReplayMaxDelay = TimeSpan.FromMilliseconds(200),
    };

    [Fact]
    public async Task V1_round_trips_escaped_names_and_Chinese_text()
    {
        await Influx.CreateDatabaseAsync("roundtrip");
        await using var h = new StoreHarness(V1("roundtrip"));
        var line = "room\\ temp\\,x,build\\ ing=总部\\ A\\,1\\=2 s=\"he said \\\"你好\\\" \\\\ ok\",v=21.5 1763856000000000000";

        await h.Store.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), 1, CancellationToken.None);

        var rows = await Influx.QueryAsync("roundtrip", "SELECT \"build ing\", \"s\", \"v\" FROM \"room temp,x\"");
        var row = Assert.Single(rows);
        Assert.Equal(1763856000000000000, row[0].GetInt64());
        Assert.Equal("总部 A,1=2", row[1].GetString());
        Assert.Equal("he said \"你好\" \\ ok", row[2].GetString());
        Assert.Equal(21.5, row[3].GetDouble());
        Assert.Equal(1, h.Status.Written);
    }

    [Fact]
    public async Task A_bad_line_among_good_ones_is_dead_lettered_with_the_reason_and_the_rest_are_written()
    {
        // Fault test 5.
        await Influx.CreateDatabaseAsync("partial");
        await using var h = new StoreHarness(V1("partial"));
        var bad = "env,device=d3 co2=oops,中文=1 1763856000000000003";
        var batch = Batches.Of(
            "env,device=d1 co2=800 1763856000000000001",
            "env,device=d2 co2=810 1763856000000000002",
            bad,
            "env,device=d4 co2=830 1763856000000000004",
            "env,device=d5 co2=840 1763856000000000005");

        await h.Store.WriteAsync(batch, 5, CancellationToken.None);

        Assert.Equal(4, await Influx.CountAsync("partial", "env", "co2"));
        var record = Assert.Single(h.DeadLetterRecords());
        Assert.Equal("influx-rejected", record.GetProperty("kind").GetString());
        Assert.Equal(bad, record.GetProperty("payload").GetString());
        Assert.Equal("invalid boolean", record.GetProperty("reason").GetString());
        Assert.Equal(400, record.GetProperty("status").GetInt32());
        Assert.Contains("db=partial", record.GetProperty("source").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, h.Status.RejectedLines);
        Assert.Equal(4, h.Status.Written);
        Assert.Equal(0, h.Status.Spooled);
    }

    [Fact]
    public async Task A_field_type_conflict_is_counted_and_recorded_though_the_server_names_no_line()
    {
        await Influx.CreateDatabaseAsync("conflict");
        await using var h = new StoreHarness(V1("conflict"));
        await h.Store.WriteAsync(Batches.Of("c,k=a v=1 1"), 1, CancellationToken.None);

        await h.Store.WriteAsync(Batches.Of("c,k=a v=2 2", "c,k=a v=\"text\" 3", "c,k=a v=4 4"), 3, CancellationToken.None);

        Assert.Equal(3, await Influx.CountAsync("conflict", "c", "v"));
        var record = Assert.Single(h.DeadLetterRecords());
        Assert.Equal("influx-dropped", record.GetProperty("kind").GetString());
        Assert.Equal(1, record.GetProperty("count").GetInt64());
        Assert.Contains("field type conflict", record.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, h.Status.RejectedLines);
    }

    [Fact]
    public async Task A_conflict_inside_one_batch_refuses_the_whole_batch_and_halving_saves_the_good_lines()
    {
        await Influx.CreateDatabaseAsync("inbatch");
        await using var h = new StoreHarness(V1("inbatch"));

        await h.Store.WriteAsync(Batches.Of("c v=1 1", "c v=\"s\" 2", "c v=3 3", "c v=4 4"), 4, CancellationToken.None);

        Assert.Equal(3, await Influx.CountAsync("inbatch", "c", "v"));
        Assert.Equal(1, h.Status.RejectedLines);
        Assert.Equal(0, h.Status.Spooled);
    }

    [Fact]
    public async Task V2_against_InfluxDB_1_6_is_held_with_advice_to_use_v1()
    {
        await using var h = new StoreHarness(new InfluxOptions { Url = Influx.Url, Org = "-", Bucket = "x", RetryBudget = TimeSpan.FromSeconds(1) });

        await h.Store.WriteAsync(Batches.Of("m v=1 1"), 1, CancellationToken.None);

        Assert.Contains("has no /api/v2/write; use Api=v1", h.Status.Holding, StringComparison.Ordinal);
        Assert.Contains("1.6.7", h.Status.Holding, StringComparison.Ordinal);
        Assert.Equal(1, h.Spool.PendingLines);
    }

    [Fact]
    public async Task A_missing_database_is_held_with_advice_to_create_it_and_replayed_once_it_exists()
    {
        await using var h = new StoreHarness(V1("created_later"));

        await h.Store.WriteAsync(Batches.Numbered("m", 0, 5), 5, CancellationToken.None);
        Assert.Contains("CREATE DATABASE \"created_later\"", h.Status.Holding, StringComparison.Ordinal);

        await Influx.CreateDatabaseAsync("created_later");
        await h.StartReplayAsync();
        await Eventually.UntilAsync(() => h.Status.Replayed == 5, TimeSpan.FromSeconds(10), "replay after CREATE DATABASE");
        Assert.Equal(5, await Influx.CountAsync("created_later", "m", "v"));
        Assert.Null(h.Status.Holding);
    }

    [Fact]
    public async Task Start_up_on_a_damaged_spool_reports_the_damage_and_replays_everything_else()
    {
        // Fault test 4 end to end: a flipped byte in one batch and a torn last batch; the gateway starts, reports, replays the rest.
        await Influx.CreateDatabaseAsync("damaged");
        using var dir = new TempDir("damaged-spool");
        var spoolPath = dir.Sub("spool");
        await using (var writer = new StoreHarness(new InfluxOptions(), spoolPath: spoolPath))
        {
            for (var i = 0; i < 10; i++)
            {
                await writer.Store.WriteAsync(Batches.Numbered("dmg", i * 100, 100), 100, CancellationToken.None);
            }
        }

        var segment = Directory.GetFiles(spoolPath, "seg-*.spool").Single();
        var bytes = File.ReadAllBytes(segment);
        var record = Spool.SpoolFormat.RecordHeaderSize + Batches.Numbered("dmg", 100, 100).Length;
        bytes[Spool.SpoolFormat.SegmentHeaderSize + (3 * record) + 40] ^= 0x01; // inside the 4th batch (values 300-399)
        File.WriteAllBytes(segment, bytes[..^(record / 3)]); // the 10th batch (900-999) torn

        await using var h = new StoreHarness(V1("damaged"), spoolPath: spoolPath);
        Assert.Equal(2, h.Status.CorruptRecords);
        Assert.Equal(800, h.Status.SpoolLines);
        Assert.Equal([Spool.SpoolDamageKind.CorruptRecord, Spool.SpoolDamageKind.TornTail], h.Spool.Damage.Select(d => d.Kind));
        await h.StartReplayAsync();
        await Eventually.UntilAsync(() => h.Spool.IsEmpty, TimeSpan.FromSeconds(10), "the damaged spool to drain");

        Assert.Equal(800, await Influx.CountAsync("damaged", "dmg", "v"));
        Assert.Empty(await Influx.QueryAsync("damaged", "SELECT v FROM dmg WHERE (v >= 300 AND v < 400) OR v >= 900"));
        Assert.Equal(800, h.Status.Replayed);
        Assert.Equal(0, h.Status.SpoolLines);
    }

    [Fact]
    public async Task V2_writes_into_VictoriaMetrics()
    {
        var options = new InfluxOptions { Url = servers.Victoria.Url, Api = InfluxApi.V2, Org = "acme", Bucket = "telemetry", Token = "t" };
        await using var h = new StoreHarness(options);
        var batch = Batches.Of(
            "vmenv,building=hq,device=ems-1 co2=812,temperature=21.5 1763856000000000000",
            "vmenv,building=hq,device=ems-1 co2=815,temperature=21.6 1763856060000000000");

        await h.Store.WriteAsync(batch, 2, CancellationToken.None);

        Assert.Equal(2, h.Status.Written);
        var exported = await servers.Victoria.ExportAsync("{__name__=\"vmenv_co2\"}");
        using var doc = JsonDocument.Parse(Assert.Single(exported));
        Assert.Equal("hq", doc.RootElement.GetProperty("metric").GetProperty("building").GetString());
        Assert.Equal([812.0, 815.0], doc.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal([1763856000000L, 1763856060000L], doc.RootElement.GetProperty("timestamps").EnumerateArray().Select(v => v.GetInt64()));
    }

    [Fact]
    public async Task Spool_commands_show_the_spool_and_replay_it_into_another_server()
    {
        await Influx.CreateDatabaseAsync("migrated");
        using var copy = new TempDir("spool-copy");
        var spoolPath = copy.Sub("spool");
        var deadLetterPath = copy.Sub("deadletter");
        await using (var h = new StoreHarness(new InfluxOptions()))
        {
            for (var i = 0; i < 10; i++)
            {
                await h.Store.WriteAsync(Batches.Numbered("mig", i * 100, 100), 100, CancellationToken.None);
            }

            await h.Store.WriteAsync(Batches.Of("mig v=oops 5"), 1, CancellationToken.None);
            CopyDirectory(h.SpoolPath, spoolPath, skip: "spool.lock");
        }

        {
            var status = new StringWriter();
            Assert.Equal(0, SpoolCommands.Status(spoolPath, status));
            Assert.Contains("11 batches, 1001 lines", status.ToString(), StringComparison.Ordinal);
            Assert.Contains("damage:  none", status.ToString(), StringComparison.Ordinal);

            var output = new StringWriter();
            var exit = await SpoolCommands.ReplayAsync(spoolPath, Influx.Url, new InfluxOptions { Api = InfluxApi.V1, CreateDatabase = false, Database = "migrated" }, new DeadLetterOptions { Path = deadLetterPath }, output, CancellationToken.None);

            Assert.True(exit == 0, output.ToString());
            Assert.Contains("replayed 1000 lines in 11 batches; 1 lines rejected", output.ToString(), StringComparison.Ordinal);
            Assert.Equal(1000, await Influx.CountAsync("migrated", "mig", "v"));
            var after = new StringWriter();
            SpoolCommands.Status(spoolPath, after, deadLetterPath);
            Assert.Contains("0 batches, 0 lines", after.ToString(), StringComparison.Ordinal);
            Assert.Contains("dead letters: 1 records", after.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Spool_replay_refuses_a_spool_a_running_gateway_holds()
    {
        await using var h = new StoreHarness(new InfluxOptions());
        var output = new StringWriter();

        var exit = await SpoolCommands.ReplayAsync(h.SpoolPath, Influx.Url, new InfluxOptions { Api = InfluxApi.V1, CreateDatabase = false, Database = "x" }, h.DeadLetterOptions, output, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Contains("stop it first", output.ToString(), StringComparison.Ordinal);
    }

    private static void CopyDirectory(string from, string to, string skip)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            if (Path.GetFileName(file) != skip)
            {
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            }
        }

        foreach (var dir in Directory.GetDirectories(from))
        {
            CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)), skip);
        }
    }
}
