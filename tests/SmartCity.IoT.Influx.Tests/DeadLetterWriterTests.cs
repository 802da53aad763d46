using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using SmartCity.IoT.Influx.DeadLetter;
using SmartCity.IoT.Influx.Tests.Fixtures;

namespace SmartCity.IoT.Influx.Tests;

public sealed class DeadLetterWriterTests
{
    [Fact]
    public void Records_are_json_lines_per_day_with_text_or_base64_payloads_cut_at_the_limit()
    {
        using var dir = new TempDir();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-23T23:59:59Z", System.Globalization.CultureInfo.InvariantCulture));
        var writer = new DeadLetterWriter(dir.Path, time, maxPayloadBytes: 16);

        writer.Append(new DeadLetterEntry("mqtt-undecodable", "buildings/hq/floors/3/env/x/telemetry", "expected a JSON object at $", Encoding.UTF8.GetBytes("温度 is not json at all")));
        time.Advance(TimeSpan.FromSeconds(2));
        writer.Append(new DeadLetterEntry("mqtt-undecodable", "t", "binary", new byte[] { 0xff, 0x00, 0x01 }, Status: null));

        var day1 = File.ReadAllLines(Path.Combine(dir.Path, "deadletter-20261123.jsonl"));
        var day2 = File.ReadAllLines(Path.Combine(dir.Path, "deadletter-20261124.jsonl"));
        using var first = JsonDocument.Parse(Assert.Single(day1));
        using var second = JsonDocument.Parse(Assert.Single(day2));
        Assert.Equal("buildings/hq/floors/3/env/x/telemetry", first.RootElement.GetProperty("source").GetString());
        Assert.True(first.RootElement.GetProperty("truncated").GetBoolean());
        Assert.Equal(25, first.RootElement.GetProperty("size").GetInt32());
        Assert.StartsWith("温度 is not", first.RootElement.GetProperty("payload").GetString(), StringComparison.Ordinal);
        Assert.Equal("2026-11-23T23:59:59.0000000Z", first.RootElement.GetProperty("time").GetString());
        Assert.Equal(Convert.ToBase64String(new byte[] { 0xff, 0x00, 0x01 }), second.RootElement.GetProperty("payloadBase64").GetString());
        Assert.Equal(2, writer.RecordsWritten);
    }

    [Fact]
    public void A_cut_never_splits_a_character()
    {
        using var dir = new TempDir();
        var writer = new DeadLetterWriter(dir.Path, maxPayloadBytes: 16);

        writer.Append(new DeadLetterEntry("influx-rejected", "src", "why", Encoding.UTF8.GetBytes("中中中中中中"), 400));

        using var doc = JsonDocument.Parse(File.ReadAllLines(writer.CurrentFile).Single());
        Assert.Equal("中中中中中", doc.RootElement.GetProperty("payload").GetString());
        Assert.Equal(400, doc.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public void The_oldest_day_files_are_deleted_past_the_byte_budget_but_never_today()
    {
        using var dir = new TempDir();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var writer = new DeadLetterWriter(dir.Path, time, maxPayloadBytes: 4096, maxTotalBytes: 4096);
        var payload = Encoding.UTF8.GetBytes(new string('x', 1500));
        for (var day = 0; day < 5; day++)
        {
            writer.Append(new DeadLetterEntry("influx-rejected", "s", "r", payload, 400));
            time.Advance(TimeSpan.FromDays(1));
        }

        var files = Directory.GetFiles(dir.Path).Select(f => Path.GetFileName(f)!).Order().ToArray();
        Assert.Equal(["deadletter-20261104.jsonl", "deadletter-20261105.jsonl"], files); // each record is ~1.6 KB: two fit in 4 KB
        Assert.Equal(5, writer.RecordsWritten);
    }
}

