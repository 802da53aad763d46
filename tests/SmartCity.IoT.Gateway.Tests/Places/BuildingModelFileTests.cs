using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Core.Places;
using SmartCity.IoT.Gateway.Places;

namespace SmartCity.IoT.Gateway.Tests.Places;

public sealed class BuildingModelFileTests
{
    private const string Good = "places:\n  - { id: hq, kind: Building }\n";

    private static BuildingModelFile Open(TempDir dir, out string path)
    {
        path = dir.Sub("buildings.yaml");
        File.WriteAllText(path, Good);
        var options = new BuildingsOptions { Path = path };
        return new BuildingModelFile(BuildingModelFile.LoadInitial(options), Options.Create(options), new FakeTimeProvider(), NullLogger<BuildingModelFile>.Instance);
    }

    [Fact]
    public void A_broken_edit_keeps_the_model_in_force_and_a_good_one_replaces_it()
    {
        using var dir = new TempDir("model-file");
        using var file = Open(dir, out var path);
        var changes = new List<BuildingModel>();
        file.Changed += (_, m) => changes.Add(m);
        var first = file.Current;
        Assert.NotNull(first.Find("hq"));

        File.WriteAllText(path, "places:\n  - { id: hq, kind: Biulding }\n");
        file.Reload();
        Assert.Same(first, file.Current);
        Assert.Empty(changes);
        var error = Assert.Single(file.Reloads.Current!.Errors);
        Assert.StartsWith($"{path}:2:21: error: unknown kind 'Biulding' of place 'hq' (did you mean 'Building'?)", error);

        File.WriteAllText(path, Good + "  - { id: annex, kind: Building }\n");
        file.Reload();
        Assert.Null(file.Reloads.Current);
        Assert.NotNull(file.Current.Find("annex"));
        Assert.Same(file.Current, Assert.Single(changes));
    }

    [Fact]
    public void A_broken_model_at_start_stops_the_start_with_its_errors()
    {
        using var dir = new TempDir("model-file");
        var path = dir.Sub("buildings.yaml");
        File.WriteAllText(path, "places:\n  - { id: a, kind: Room, parent: nowhere }\n");
        var ex = Assert.Throws<DiagnosticException>(() => BuildingModelFile.LoadInitial(new BuildingsOptions { Path = path }));
        Assert.Contains("unknown parent 'nowhere' of place 'a'", ex.Message);
    }

    [Fact]
    public void Options_name_a_yaml_file()
    {
        var result = new BuildingsOptionsValidator().Validate(null, new BuildingsOptions { Path = "config/buildings.txt" });
        Assert.True(result.Failed);
        Assert.Contains("Buildings:Path must name a YAML or JSON file", result.FailureMessage);
    }
}
