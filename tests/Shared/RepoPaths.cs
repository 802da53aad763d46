using System.Reflection;

namespace SmartCity.IoT.Testing;

/// <summary>Locates the repository (devices/, config/) from any test assembly, wherever its binaries were built.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Devices => Path.Combine(Root, "devices");

    public static string Config => Path.Combine(Root, "config");

    public static string Rules => Path.Combine(Root, "config", "rules");

    private static string FindRoot()
    {
        var fromBuild = typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepoRoot")?.Value;
        if (!string.IsNullOrEmpty(fromBuild) && File.Exists(Path.Combine(fromBuild, "SmartCity.IoT.sln")))
        {
            return Path.GetFullPath(fromBuild);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SmartCity.IoT.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (SmartCity.IoT.sln).");
    }
}
