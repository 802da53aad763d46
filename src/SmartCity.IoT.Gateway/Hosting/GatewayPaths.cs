namespace SmartCity.IoT.Gateway.Hosting;

/// <summary>
/// Resolves the relative paths in configuration (devices/, config/rules, data/…): against the working directory first,
/// then against the nearest folder above the binaries that holds the repository, so `dotnet run` works from anywhere.
/// </summary>
internal static class GatewayPaths
{
    public static string Resolve(string path)
    {
        if (Path.IsPathRooted(path))
        {
            return path;
        }

        var fromCwd = Path.GetFullPath(path);
        if (Path.Exists(fromCwd))
        {
            return fromCwd;
        }

        var root = FindRepositoryRoot();
        return root is null ? fromCwd : Path.Combine(root, path);
    }

    /// <summary>The folder that holds config/appsettings.json, if any: the working directory or one above the binaries.</summary>
    public static string? FindRepositoryRoot()
    {
        if (File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "config", "appsettings.json")))
        {
            return Directory.GetCurrentDirectory();
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "config", "appsettings.json")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
