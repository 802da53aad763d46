using SmartCity.IoT.Influx.Tests.Fixtures;

namespace SmartCity.IoT.Influx.Tests;

/// <summary>Issue 16: a user name and password in Influx:Url never reach an alarm, a status error or a dead-letter record.</summary>
public sealed class UrlCredentialTests
{
    [Fact]
    public async Task Alarms_errors_and_dead_letters_name_the_server_without_the_credential_in_its_url()
    {
        var rejectLines = false;
        await using var server = await FaultServer.StartAsync(r => !Volatile.Read(ref rejectLines)
            ? new FaultResponse(401, "{\"code\":\"unauthorized\",\"message\":\"unauthorized access\"}")
            : r.Body.Contains("bad", StringComparison.Ordinal) ? new FaultResponse(400, "{\"error\":\"partial write: unable to parse 'bad': invalid field format dropped=0\"}") : new FaultResponse(204));
        var port = new Uri(server.Url).Port;
        await using var h = new StoreHarness(new InfluxOptions
        {
            Url = $"http://influxuser:inf1uxP4ssword@127.0.0.1:{port}", Api = InfluxApi.V1, Database = "db", CreateDatabase = false, Gzip = false,
            MaxRetries = 0,
        });

        await h.Store.WriteAsync(Batches.Of("m v=1 1"), 1, CancellationToken.None);
        Assert.Contains($"http://***@127.0.0.1:{port}/write", h.Status.Holding, StringComparison.Ordinal); // the alarm still says where

        Volatile.Write(ref rejectLines, true);
        var outcome = await h.Writer!.WriteAsync(Batches.Of("m v=1 1", "bad"), 2, retry: false, CancellationToken.None);
        Assert.Equal(1, outcome.RejectedLines);
        var record = Assert.Single(h.DeadLetterRecords());

        var shown = h.Status.Holding + h.Status.LastError + record + h.Writer.Where;
        Assert.DoesNotContain("inf1uxP4ssword", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("influxuser", shown, StringComparison.Ordinal);
        var files = Directory.EnumerateFiles(h.DeadLetters.DirectoryPath, "*", SearchOption.AllDirectories).Select(File.ReadAllText);
        Assert.All(files, f => Assert.DoesNotContain("inf1uxP4ssword", f, StringComparison.Ordinal));
        Assert.Contains("127.0.0.1", record.ToString(), StringComparison.Ordinal);
    }
}
