using System.Text.Json;
using SmartCity.IoT.Devices.Loading;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Devices.Tests;

/// <summary>The JSON Schemas editors use and the loader's checks accept exactly the same keys.</summary>
public sealed class SchemaTests
{
    private static readonly JsonElement Profile = Load("device-profile.schema.json");
    private static readonly JsonElement Vocabulary = Load("vocabulary.schema.json");

    public static TheoryData<string, string[]> ProfileSections() => new()
    {
        { "/properties", ProfileLoader.TopKeys },
        { "/properties/availability/properties", ProfileLoader.AvailabilityKeys },
        { "/properties/payload/properties", ProfileLoader.PayloadKeys },
        { "/properties/payload/properties/frame/properties", ProfileLoader.FrameKeys },
        { "/properties/timestamp/properties", ProfileLoader.TimestampKeys },
        { "/properties/tags/items/properties", ProfileLoader.TagKeys },
        { "/$defs/field/properties", ProfileLoader.FieldKeys },
        { "/$defs/sample/properties", ProfileLoader.SampleKeys },
        { "/$defs/topic/oneOf/1/properties", ProfileLoader.TopicKeys },
        { "/$defs/markers/items/properties", ProfileLoader.MarkerKeys },
        { "/properties/payload/properties/records/items/properties", ProfileLoader.RecordKeys },
    };

    [Theory]
    [MemberData(nameof(ProfileSections))]
    public void Profile_schema_lists_the_keys_the_loader_accepts(string pointer, string[] keys) =>
        Assert.Equal(keys.Order(), Keys(Profile, pointer).Order());

    [Fact]
    public void Vocabulary_schema_lists_the_keys_the_loader_accepts() =>
        Assert.Equal(VocabularyLoader.FieldKeys.Order(), Keys(Vocabulary, "/properties/fields/additionalProperties/properties").Order());

    [Fact]
    public void Schemas_forbid_unknown_keys_like_the_loader()
    {
        Assert.False(Profile.GetProperty("additionalProperties").GetBoolean());
        Assert.False(Navigate(Profile, "/$defs/field").GetProperty("additionalProperties").GetBoolean());
        Assert.False(Navigate(Profile, "/$defs/sample").GetProperty("additionalProperties").GetBoolean());
    }

    private static IEnumerable<string> Keys(JsonElement root, string pointer) =>
        Navigate(root, pointer).EnumerateObject().Select(p => p.Name);

    private static JsonElement Navigate(JsonElement root, string pointer)
    {
        var current = root;
        foreach (var part in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = int.TryParse(part, out var i) ? current[i] : current.GetProperty(part);
        }

        return current;
    }

    private static JsonElement Load(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Devices, "schema", name))).RootElement.Clone();
}
