using System.Globalization;
using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Devices.Samples;

namespace SmartCity.IoT.Devices.Commands;

/// <summary>
/// The logic behind <c>devices validate</c> and <c>devices test</c>; the gateway's command line parses arguments and calls these.
/// </summary>
public static class DeviceCommands
{
    /// <summary>
    /// Checks profiles: schema keys, vocabulary names, units, ranges, overlapping topics, and every sample.
    /// <paramref name="paths"/> empty = everything under <paramref name="devicesRoot"/>; otherwise only errors in those files
    /// (or folders) are reported, while overlaps are still checked against the whole catalog. Returns 0, or 1 on any error.
    /// </summary>
    public static int Validate(IReadOnlyList<string> paths, string devicesRoot, TextWriter output)
    {
        var root = Path.GetFullPath(devicesRoot);
        if (paths.Count == 1 && Directory.Exists(paths[0]) && File.Exists(Path.Combine(paths[0], DeviceCatalog.VocabularyFileName)))
        {
            // A whole devices folder (a deployed copy, say): checked as the catalog it is, vocabulary included.
            root = Path.GetFullPath(paths[0]);
            paths = [];
        }

        var selected = new List<string>();
        var missing = new List<Diagnostic>();
        foreach (var p in paths)
        {
            var full = Path.GetFullPath(p);
            if (Directory.Exists(full))
            {
                selected.AddRange(Directory.EnumerateFiles(full, "*.yaml", SearchOption.AllDirectories)
                    .Where(f => Path.GetFileName(f) != DeviceCatalog.VocabularyFileName));
            }
            else if (File.Exists(full))
            {
                selected.Add(full);
            }
            else
            {
                missing.Add(new Diagnostic(p, 1, 1, "no such file or directory"));
            }
        }

        var outside = selected.Where(f => Path.GetRelativePath(root, f).StartsWith("..", StringComparison.Ordinal)).ToList();
        var (catalog, errors) = DeviceCatalog.TryLoad(root, outside);
        var vocabularyDisplay = DeviceCatalog.Display(Path.Combine(root, DeviceCatalog.VocabularyFileName));
        if (paths.Count > 0)
        {
            var wanted = selected.Select(DeviceCatalog.Display).Append(vocabularyDisplay).ToHashSet(StringComparer.Ordinal);
            errors = errors.Where(e => wanted.Contains(e.File)).ToList();
        }

        errors.InsertRange(0, missing);
        foreach (var e in errors.OrderBy(e => e.File, StringComparer.Ordinal).ThenBy(e => e.Line))
        {
            output.WriteLine(e.ToString());
        }

        var profiles = catalog?.LoadedProfiles.Where(l => paths.Count == 0 || selected.Contains(l.FullPath)).ToList() ?? [];
        foreach (var w in profiles.SelectMany(l => l.Warnings))
        {
            output.WriteLine(w.ToWarningString());
        }

        var samples = profiles.Sum(l => l.Samples.Count);
        var checkedFiles = paths.Count == 0 ? "all profiles" : $"{selected.Count} file(s)";
        output.WriteLine(errors.Count == 0
            ? $"OK: {checkedFiles}, {profiles.Count} profile(s), {samples} sample(s) decode as expected."
            : $"FAILED: {errors.Count} error(s) in {checkedFiles}; {profiles.Count} profile(s) loaded cleanly.");
        return errors.Count == 0 ? 0 : 1;
    }

    /// <summary>
    /// Decodes one payload with one profile and prints the reading as a table (tags, fields with units, time) and its
    /// line protocol, or the error. Returns 0 when it decodes, 1 otherwise.
    /// </summary>
    public static int Test(string profilePath, string topic, ReadOnlySpan<byte> payload, string devicesRoot, TextWriter output, long? receivedUnixNs = null)
    {
        var root = Path.GetFullPath(devicesRoot);
        var full = Path.GetFullPath(profilePath);
        if (!File.Exists(full))
        {
            // A profile id (vendor/model) names the file under the devices folder.
            var byId = Path.GetFullPath(Path.Combine(root, profilePath + ".yaml"));
            if (!profilePath.EndsWith(".yaml", StringComparison.Ordinal) && File.Exists(byId) && !Path.GetRelativePath(root, byId).StartsWith("..", StringComparison.Ordinal))
            {
                full = byId;
            }
            else
            {
                var ids = Directory.Exists(root) ? DeviceCatalog.ProfileIds(root) : [];
                output.WriteLine($"{profilePath}:1:1: error: no such profile file or profile id{DidYouMean.Hint(profilePath, ids)} (profile ids under {DeviceCatalog.Display(root)}: {string.Join(", ", ids)})");
                return 1;
            }
        }

        var outside = Path.GetRelativePath(root, full).StartsWith("..", StringComparison.Ordinal) ? new[] { full } : [];
        var (catalog, errors) = DeviceCatalog.TryLoad(root, outside);
        var display = DeviceCatalog.Display(full);
        var loaded = catalog?.LoadedProfiles.FirstOrDefault(l => l.FullPath == full);
        var own = errors.Where(e => e.File == display).ToList();
        if (loaded is null)
        {
            foreach (var e in own)
            {
                output.WriteLine(e);
            }

            output.WriteLine($"The profile does not load; fix the error(s) above (devices validate {DeviceCatalog.Display(full)}).");
            return 1;
        }

        foreach (var e in own)
        {
            output.WriteLine("warning: " + e);
        }

        var decoder = new MessageDecoder([loaded.Profile]);
        var readings = new ReadingSet(Math.Max(1, catalog!.Vocabulary.Count));
        var received = receivedUnixNs ?? (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000L);
        var result = decoder.Decode(topic, payload, readings, received);
        var reading = readings.First;
        output.WriteLine($"profile   {loaded.Profile.Id} ({display})");
        output.WriteLine($"topic     {topic}");
        output.WriteLine($"payload   {payload.Length} byte(s)");
        if (!result.IsSuccess)
        {
            output.WriteLine($"error     {result.Error.Code()}: {result.Detail}");
            return 1;
        }

        if (result.IsAvailability)
        {
            output.WriteLine($"status    {result.Availability.Name()} (availability) for device {reading.DeviceId}");
            return 0;
        }

        var shown = 0;
        for (var k = 0; k < readings.Count; k++)
        {
            reading = readings[k];
            if (reading.FieldCount == 0)
            {
                continue;
            }

            if (result.Readings > 1)
            {
                output.WriteLine();
                output.WriteLine($"reading   {++shown} of {result.Readings}");
            }

            output.WriteLine($"time      {FormatTime(reading.TimestampNs)} ({reading.TimestampNs}{(reading.TimestampNs == received ? ", receive time" : ", from the payload")})");
            output.WriteLine();
            var rows = new List<string[]> { new[] { "TAG", "VALUE", "" } };
            foreach (var t in reading.Tags)
            {
                rows.Add([t.Key, t.Value.ToString(), ""]);
            }

            rows.Add(["", "", ""]);
            rows.Add(["FIELD", "VALUE", "UNIT"]);
            foreach (var id in reading.FieldIds)
            {
                var field = catalog.Vocabulary[id];
                rows.Add([field.Name, FormatValue(field, reading.GetOrNaN(id)), field.Unit]);
            }

            var w0 = rows.Max(r => r[0].Length) + 2;
            var w1 = rows.Max(r => r[1].Length) + 2;
            foreach (var r in rows)
            {
                output.WriteLine((r[0].PadRight(w0) + r[1].PadRight(w1) + r[2]).TrimEnd());
            }
        }

        if (result.RejectedFields > 0)
        {
            output.WriteLine();
            output.WriteLine($"rejected  {result.RejectedFields} field(s), {result.RejectionReason.Code()}: {result.RejectionDetail}");
        }

        output.WriteLine();
        output.WriteLine("line protocol:");
        foreach (var line in SampleRunner.ToLineProtocol(readings, catalog.Vocabulary))
        {
            output.WriteLine(line);
        }

        return 0;
    }

    private static string FormatValue(FieldDefinition field, double value) => field.Type switch
    {
        FieldType.Boolean => value != 0 ? "true" : "false",
        FieldType.Enum => (uint)(int)value < (uint)field.EnumValues.Count ? field.EnumValues[(int)value] : "?",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string FormatTime(long ns) =>
        DateTime.UnixEpoch.AddTicks(ns / 100).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
