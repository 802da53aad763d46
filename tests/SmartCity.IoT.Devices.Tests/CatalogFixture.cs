using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Devices.Tests;

/// <summary>The real devices/ catalog, loaded once per test run (loading also runs every sample).</summary>
internal static class CatalogFixture
{
    private static readonly Lazy<(DeviceCatalog? Catalog, List<Diagnostic> Errors)> Loaded = new(() => DeviceCatalog.TryLoad(RepoPaths.Devices, []));

    public static DeviceCatalog Catalog => Loaded.Value.Catalog ?? throw new InvalidOperationException("devices/ did not load: " + string.Join(Environment.NewLine, Loaded.Value.Errors));

    public static IReadOnlyList<Diagnostic> Errors => Loaded.Value.Errors;
}
