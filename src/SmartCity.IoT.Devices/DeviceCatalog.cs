using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Devices.Loading;
using SmartCity.IoT.Devices.Samples;

namespace SmartCity.IoT.Devices;

/// <summary>
/// Every profile under devices/, compiled and checked (schema keys, vocabulary names, units, ranges, overlapping topics,
/// and every sample decoding to its expected reading). <see cref="Decode"/> is the gateway's hot path.
/// </summary>
public sealed class DeviceCatalog
{
    public const string VocabularyFileName = "vocabulary.yaml";
    public const string SchemaFolder = "schema";

    /// <summary>Files ending so are codec descriptions (The Things Network device repository's shape), not profiles.</summary>
    public const string CodecFileSuffix = "-codec.yaml";

    /// <summary>The <see cref="DiagnosticException.Subject"/> of a catalog that failed to load.</summary>
    public const string DiagnosticSubject = "the device profiles";

    private readonly Dictionary<string, DeviceProfile> _byId;

    private DeviceCatalog(FieldVocabulary vocabulary, IReadOnlyDictionary<string, VocabularyEntry> entries, IReadOnlyList<LoadedProfile> loaded, MessageDecoder decoder)
    {
        Vocabulary = vocabulary;
        VocabularyEntries = entries;
        LoadedProfiles = loaded;
        Profiles = loaded.Select(l => l.Profile).ToArray();
        Decoder = decoder;
        SubscriptionFilters = decoder.Router.Subscription.FiltersFor(Core.Pipeline.TopicSyntax.Mqtt);
        _byId = Profiles.ToDictionary(p => p.Id, StringComparer.Ordinal);
    }

    public FieldVocabulary Vocabulary { get; }

    internal IReadOnlyDictionary<string, VocabularyEntry> VocabularyEntries { get; }

    /// <summary>Profiles ordered by id, <see cref="DeviceProfile.Index"/> 0..n-1.</summary>
    public IReadOnlyList<DeviceProfile> Profiles { get; }

    internal IReadOnlyList<LoadedProfile> LoadedProfiles { get; }

    /// <summary>MQTT filters ('+' per named segment) for every telemetry and availability topic.</summary>
    public IReadOnlyList<string> SubscriptionFilters { get; }

    public MessageDecoder Decoder { get; }

    /// <summary>Loads and checks devices/; throws <see cref="DiagnosticException"/> (subject <see cref="DiagnosticSubject"/>) listing every problem (the text <c>devices validate</c> prints).</summary>
    public static DeviceCatalog Load(string devicesDirectory, int maxPayloadBytes = MessageDecoder.DefaultMaxPayloadBytes)
    {
        var (catalog, errors) = TryLoad(devicesDirectory, [], maxPayloadBytes);
        return errors.Count > 0 || catalog is null ? throw new DiagnosticException(DiagnosticSubject, errors) : catalog;
    }

    /// <summary>
    /// Loads everything under <paramref name="devicesDirectory"/> plus <paramref name="extraFiles"/> (profiles kept elsewhere),
    /// returning the catalog (null when nothing usable loaded) and every error found.
    /// </summary>
    public static (DeviceCatalog? Catalog, List<Diagnostic> Errors) TryLoad(string devicesDirectory, IReadOnlyList<string> extraFiles, int maxPayloadBytes = MessageDecoder.DefaultMaxPayloadBytes)
    {
        var errors = new List<Diagnostic>();
        var root = Path.GetFullPath(devicesDirectory);
        if (!Directory.Exists(root))
        {
            errors.Add(new Diagnostic(Display(root), 1, 1, "the devices directory does not exist"));
            return (null, errors);
        }

        var (vocabulary, entries) = VocabularyLoader.Load(Path.Combine(root, VocabularyFileName), Display(Path.Combine(root, VocabularyFileName)), errors);
        var files = ProfileFiles(root, errors).Concat(extraFiles.Select(Path.GetFullPath)).Distinct(StringComparer.Ordinal).ToList();
        var loaded = new List<LoadedProfile>();
        var byId = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var id = ExpectedId(root, file);
            if (ProfileLoader.Load(file, Display(file), id, entries, errors, maxPayloadBytes) is not { } profile)
            {
                continue;
            }

            if (byId.TryGetValue(profile.Profile.Id, out var first))
            {
                // Usually a copy being worked on outside devices/: the copy (loaded last) is the one kept, so `devices test` decodes with it.
                var other = loaded[first];
                errors.Add(new Diagnostic(profile.DisplayPath, 1, 1, $"profile id '{profile.Profile.Id}' is also the id of {other.DisplayPath}; ids must be unique (rename the copy's folder or file, or check it with --devices-root set to a folder without the original)"));
                errors.Add(new Diagnostic(other.DisplayPath, 1, 1, $"profile id '{profile.Profile.Id}' is also the id of {profile.DisplayPath}; ids must be unique"));
                loaded[first] = profile;
                continue;
            }

            byId.Add(profile.Profile.Id, loaded.Count);
            loaded.Add(profile);
        }

        loaded.Sort((a, b) => string.CompareOrdinal(a.Profile.Id, b.Profile.Id));
        for (var i = 0; i < loaded.Count; i++)
        {
            loaded[i].Profile.Index = i;
        }

        CheckOverlaps(loaded, errors);
        var decoder = new MessageDecoder(loaded.Select(l => l.Profile), maxPayloadBytes);
        var catalog = new DeviceCatalog(vocabulary, entries, loaded, decoder);
        foreach (var outcome in catalog.RunSamples())
        {
            if (!outcome.Passed)
            {
                errors.Add(outcome.ToError());
            }
        }

        return (catalog, errors);
    }

    /// <summary>Runs every sample of every profile.</summary>
    internal IEnumerable<SampleOutcome> RunSamples()
    {
        foreach (var l in LoadedProfiles)
        {
            foreach (var s in l.Samples)
            {
                yield return SampleRunner.Run(s, Decoder, Vocabulary);
            }
        }
    }

    public bool TryGetProfile(string id, out DeviceProfile profile) => _byId.TryGetValue(id, out profile!);

    /// <summary>A reading sized for this vocabulary; reuse one per consumer loop.</summary>
    public Reading CreateReading() => new(Math.Max(1, Vocabulary.Count));

    /// <summary>A reading set sized for this vocabulary (a message may yield several readings); reuse one per consumer loop.</summary>
    public ReadingSet CreateReadingSet() => new(Math.Max(1, Vocabulary.Count));

    /// <summary>
    /// Hot path: resets and fills <paramref name="reading"/> (Profile, Topic, DeviceId, tags, values, TimestampNs).
    /// Allocation-free for a known topic and a good payload.
    /// </summary>
    public DecodeResult Decode(string topic, ReadOnlySpan<byte> payload, Reading reading, long receivedUnixNs) =>
        Decoder.Decode(topic, payload, reading, receivedUnixNs);

    /// <summary>The ids the profile files under <paramref name="root"/> would have (vendor/model), without loading them.</summary>
    public static IReadOnlyList<string> ProfileIds(string root) =>
        ProfileFiles(Path.GetFullPath(root), []).Select(f => ExpectedId(Path.GetFullPath(root), f)).ToList();
    /// <summary>Hot path: as <see cref="Decode(string, ReadOnlySpan{byte}, Reading, long)"/> into every reading the message yields.</summary>
    public DecodeResult Decode(string topic, ReadOnlySpan<byte> payload, ReadingSet readings, long receivedUnixNs) =>
        Decoder.Decode(topic, payload, readings, receivedUnixNs);

    internal static string ExpectedId(string root, string file)
    {
        var rel = Path.GetRelativePath(root, file);
        if (rel.StartsWith("..", StringComparison.Ordinal))
        {
            // A profile kept outside devices/: its id is still <vendor>/<model> from its last two path parts.
            rel = Path.Combine(Path.GetFileName(Path.GetDirectoryName(file)) ?? "", Path.GetFileName(file));
        }

        return Path.ChangeExtension(rel, null)!.Replace('\\', '/');
    }

    internal static string Display(string fullPath)
    {
        var rel = Path.GetRelativePath(Environment.CurrentDirectory, fullPath);
        return rel.StartsWith("..", StringComparison.Ordinal) ? fullPath : rel;
    }

    private static IEnumerable<string> ProfileFiles(string root, List<Diagnostic> errors)
    {
        var files = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var rel = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (rel == VocabularyFileName || rel.StartsWith(SchemaFolder + "/", StringComparison.Ordinal) || !rel.Contains('/'))
            {
                continue; // vocabulary, schemas, README and other top-level files
            }

            if (rel.EndsWith(CodecFileSuffix, StringComparison.Ordinal))
            {
                continue; // a TTN-style codec description, read by the profile that names it
            }

            if (rel.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new Diagnostic(Display(file), 1, 1, "profiles use the .yaml extension; rename the file"));
            }
            else if (rel.EndsWith(".yaml", StringComparison.Ordinal))
            {
                if (rel.Count(c => c == '/') != 1)
                {
                    errors.Add(new Diagnostic(Display(file), 1, 1, "profiles live at devices/<vendor>/<model>.yaml; move the file"));
                    continue;
                }

                files.Add(file);
            }
        }

        return files;
    }

    private static void CheckOverlaps(List<LoadedProfile> loaded, List<Diagnostic> errors)
    {
        var all = loaded.SelectMany(l => l.TopicPositions.Select(t => (Profile: l, t.Template, t.Line, t.Column))).ToList();
        for (var i = 0; i < all.Count; i++)
        {
            for (var j = i + 1; j < all.Count; j++)
            {
                var (a, b) = (all[i], all[j]);
                if (a.Template.Overlaps(b.Template))
                {
                    var sameProfile = ReferenceEquals(a.Profile, b.Profile);
                    errors.Add(new Diagnostic(a.Profile.DisplayPath, a.Line, a.Column,
                        $"topic template '{a.Template}' overlaps '{b.Template}' of {(sameProfile ? "the same profile" : b.Profile.Profile.Id)} ({b.Profile.DisplayPath}:{b.Line}): a topic could match both; make a plain level differ"));
                    if (!sameProfile)
                    {
                        errors.Add(new Diagnostic(b.Profile.DisplayPath, b.Line, b.Column,
                            $"topic template '{b.Template}' overlaps '{a.Template}' of {a.Profile.Profile.Id} ({a.Profile.DisplayPath}:{a.Line}): a topic could match both; make a plain level differ"));
                    }
                }
            }
        }
    }
}
