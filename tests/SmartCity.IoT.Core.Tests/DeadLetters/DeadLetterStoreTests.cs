using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using SmartCity.IoT.Core.DeadLetters;

namespace SmartCity.IoT.Core.Tests.DeadLetters;

public sealed class DeadLetterStoreTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("deadletter-test-");

    public void Dispose() => _dir.Delete(recursive: true);

    private DeadLetterStore Store(TimeProvider? time = null, int payloadBytes = 64 * 1024, long maxBytes = 256L << 20) =>
        new(new DeadLetterOptions { Path = _dir.FullName, PayloadBytes = payloadBytes, MaxBytes = maxBytes }, time);

    private static FakeTimeProvider At(string time) => new(DateTimeOffset.Parse(time, CultureInfo.InvariantCulture));

    [Fact]
    public void Records_are_json_lines_per_day_with_text_or_base64_payloads_cut_at_the_limit()
    {
        var time = At("2026-11-23T23:59:59Z");
        using var store = Store(time, payloadBytes: 16);

        store.AppendAndFlush(new DeadLetterEntry("message", "buildings/hq/floors/3/env/x/telemetry", "expected a JSON object at $"), Encoding.UTF8.GetBytes("温度 is not json at all"));
        time.Advance(TimeSpan.FromSeconds(2));
        store.AppendAndFlush(new DeadLetterEntry("message", "t", "binary"), new byte[] { 0xff, 0x00, 0x01 });

        var day1 = File.ReadAllLines(Path.Combine(_dir.FullName, "deadletter-20261123.jsonl"));
        var day2 = File.ReadAllLines(Path.Combine(_dir.FullName, "deadletter-20261124.jsonl"));
        using var first = JsonDocument.Parse(Assert.Single(day1));
        using var second = JsonDocument.Parse(Assert.Single(day2));
        Assert.Equal("buildings/hq/floors/3/env/x/telemetry", first.RootElement.GetProperty("source").GetString());
        Assert.True(first.RootElement.GetProperty("truncated").GetBoolean());
        Assert.Equal(25, first.RootElement.GetProperty("size").GetInt32());
        Assert.StartsWith("温度 is not", first.RootElement.GetProperty("payload").GetString(), StringComparison.Ordinal);
        Assert.Equal("2026-11-23T23:59:59.0000000Z", first.RootElement.GetProperty("time").GetString());
        Assert.Equal(Convert.ToBase64String(new byte[] { 0xff, 0x00, 0x01 }), second.RootElement.GetProperty("payloadBase64").GetString());
        Assert.Equal(2, store.RecordsWritten);
    }

    [Fact]
    public void A_cut_never_splits_a_character()
    {
        using var store = Store(payloadBytes: 16);

        store.AppendAndFlush(new DeadLetterEntry("influx-rejected", "src", "why", Status: 400), Encoding.UTF8.GetBytes("中中中中中中"));

        using var doc = JsonDocument.Parse(File.ReadAllLines(store.CurrentFile).Single());
        Assert.Equal("中中中中中", doc.RootElement.GetProperty("payload").GetString());
        Assert.Equal(400, doc.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public void The_oldest_day_files_are_deleted_past_the_byte_budget_but_never_today()
    {
        var time = At("2026-11-01T12:00:00Z");
        using var store = Store(time, payloadBytes: 4096, maxBytes: 4096);
        var payload = Encoding.UTF8.GetBytes(new string('x', 1500));
        for (var day = 0; day < 5; day++)
        {
            store.AppendAndFlush(new DeadLetterEntry("influx-rejected", "s", "r", Status: 400), payload);
            time.Advance(TimeSpan.FromDays(1));
        }

        var files = Directory.GetFiles(_dir.FullName).Select(f => Path.GetFileName(f)!).Order().ToArray();
        Assert.Equal(["deadletter-20261104.jsonl", "deadletter-20261105.jsonl"], files); // each record is ~1.6 KB: two fit in 4 KB
        Assert.Equal(5, store.RecordsWritten);
    }

    [Fact]
    public void Today_is_kept_even_when_it_alone_is_over_the_budget()
    {
        using var store = Store(At("2026-11-01T12:00:00Z"), maxBytes: 4096);

        for (var i = 0; i < 3; i++)
        {
            store.Append(new DeadLetterEntry("message", "t", "r"), Encoding.UTF8.GetBytes(new string('y', 2000)));
        }

        Assert.Equal(3, File.ReadAllLines(store.CurrentFile).Length);
    }

    [Fact]
    public void Every_record_has_the_one_shape_with_the_original_size_when_only_the_head_is_given()
    {
        using var store = Store(At("2026-11-23T10:00:00Z"));

        var record = store.Append(new DeadLetterEntry("message", "b/1/telemetry", "PayloadTooLarge", "payload of 70000 bytes exceeds the limit"), "{\"t\":"u8, originalSize: 70_000);
        store.Flush();

        using var doc = JsonDocument.Parse(File.ReadAllLines(store.CurrentFile).Single());
        var names = doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["time", "kind", "source", "reason", "detail", "count", "size", "truncated", "payload"], names);
        Assert.Equal(70_000, doc.RootElement.GetProperty("size").GetInt64());
        Assert.True(doc.RootElement.GetProperty("truncated").GetBoolean());
        Assert.Equal("payload of 70000 bytes exceeds the limit", doc.RootElement.GetProperty("detail").GetString());
        Assert.Equal(1, doc.RootElement.GetProperty("count").GetInt64());
        Assert.Equal(new DeadLetterRecord(record.Time, "message", "b/1/telemetry", "PayloadTooLarge", "payload of 70000 bytes exceeds the limit", null, 1, 70_000, true, "{\"t\":", false), record);
    }

    [Fact]
    public void Appended_records_are_in_the_file_before_the_flush()
    {
        using var store = Store();

        store.Append(new DeadLetterEntry("message", "a", "r"), "x"u8);
        store.Append(new DeadLetterEntry("message", "b", "r"), "y"u8);

        // Written to the operating system at once (a process crash keeps them); Flush only adds the fsync.
        Assert.Equal(2, File.ReadAllLines(store.CurrentFile).Length);
        store.Flush();
        store.Flush();
        Assert.Equal(2, File.ReadAllLines(store.CurrentFile).Length);
    }

    [Fact]
    public void Recent_returns_the_latest_records_newest_first_and_keeps_at_most_its_capacity()
    {
        using var store = Store();
        for (var i = 0; i < DeadLetterStore.RecentCapacity + 10; i++)
        {
            store.Append(new DeadLetterEntry("message", $"t{i}", "r"), ReadOnlySpan<byte>.Empty);
        }

        var all = store.Recent();
        Assert.Equal(DeadLetterStore.RecentCapacity, all.Count);
        Assert.Equal($"t{DeadLetterStore.RecentCapacity + 9}", all[0].Source);
        Assert.Equal(["t59", "t58", "t57"], store.Recent(3).Select(r => r.Source));
        Assert.Equal(DeadLetterStore.RecentCapacity + 10, store.RecordsWritten);
    }

    [Fact]
    public void A_payload_size_of_zero_keeps_no_payload_but_says_how_big_it_was()
    {
        using var store = Store(payloadBytes: 0);

        var record = store.AppendAndFlush(new DeadLetterEntry("message", "t", "r"), "secret"u8);

        Assert.Equal("", record.Payload);
        Assert.Equal(6, record.Size);
        Assert.True(record.Truncated);
    }

    [Fact]
    public async Task Appends_from_many_threads_give_whole_lines()
    {
        using var store = Store();
        var payload = Encoding.UTF8.GetBytes(new string('z', 300));

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 250; i++)
            {
                store.Append(new DeadLetterEntry("message", $"thread{t}", "r"), payload);
                if (i % 50 == 0)
                {
                    store.Flush();
                }
            }
        })));
        store.Flush();

        var lines = File.ReadAllLines(store.CurrentFile);
        Assert.Equal(2000, lines.Length);
        Assert.All(lines, l => Assert.Equal(300, JsonDocument.Parse(l).RootElement.GetProperty("payload").GetString()!.Length));
        Assert.Equal(2000, store.RecordsWritten);
    }

    [Fact]
    public void Bad_options_are_refused_naming_each_key_and_value()
    {
        var error = Assert.Throws<ArgumentException>("options", () => new DeadLetterStore(new DeadLetterOptions { Path = " ", MaxBytes = 100, PayloadBytes = -1 }));

        Assert.Contains("DeadLetter:Path is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("DeadLetter:MaxBytes 100 must be at least 4096", error.Message, StringComparison.Ordinal);
        Assert.Contains("DeadLetter:PayloadBytes -1 must be between 0 and 16777216", error.Message, StringComparison.Ordinal);
        Assert.Empty(new DeadLetterOptions().Validate());
    }

    [Fact]
    public void Half_a_line_left_by_an_earlier_failure_does_not_swallow_the_next_record()
    {
        var time = At("2026-11-23T10:00:00Z");
        File.WriteAllText(Path.Combine(_dir.FullName, "deadletter-20261123.jsonl"), "{\"time\":\"2026-11-23T09:59:00Z\",\"kin");
        using var store = Store(time);

        store.AppendAndFlush(new DeadLetterEntry("message", "t", "r"), "x"u8);

        var lines = File.ReadAllLines(store.CurrentFile);
        Assert.Equal(2, lines.Length);
        Assert.Equal("t", JsonDocument.Parse(lines[1]).RootElement.GetProperty("source").GetString());
    }

    [Fact]
    public void After_dispose_flush_is_harmless_and_append_is_refused()
    {
        var store = Store();
        store.Append(new DeadLetterEntry("message", "t", "r"), "x"u8);
        store.Dispose();

        store.Flush();
        Assert.Throws<ObjectDisposedException>(() => store.Append(new DeadLetterEntry("message", "t", "r"), "x"u8));
        Assert.Single(File.ReadAllLines(store.CurrentFile));
    }

    [Fact]
    public void A_binary_frame_that_happens_to_be_valid_utf8_is_kept_as_bytes_not_as_text()
    {
        using var store = Store();
        byte[] frame = [0x01, 0x67, 0x00, 0x10, 0x05];
        store.AppendAndFlush(new DeadLetterEntry("message", "lora/x/up", "unknown record type"), frame);
        store.AppendAndFlush(new DeadLetterEntry("message", "t", "multi-line JSON"), "{\n\t\"t\": 1\r\n"u8.ToArray());

        var lines = File.ReadAllLines(store.CurrentFile);
        using var binary = JsonDocument.Parse(lines[0]);
        Assert.Equal(Convert.ToBase64String(frame), binary.RootElement.GetProperty("payloadBase64").GetString());
        Assert.False(binary.RootElement.TryGetProperty("payload", out _));
        using var text = JsonDocument.Parse(lines[1]);
        Assert.Equal("{\n\t\"t\": 1\r\n", text.RootElement.GetProperty("payload").GetString());
    }
}

