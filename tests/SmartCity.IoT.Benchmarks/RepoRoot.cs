namespace SmartCity.IoT.Benchmarks;

/// <summary>Finds the repository (devices/, config/) from the current directory, the binaries, or SMARTCITY_REPO_ROOT.</summary>
internal static class RepoRoot
{
    public const string Variable = "SMARTCITY_REPO_ROOT";

    public static string Find()
    {
        var fromEnv = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(fromEnv) && File.Exists(Path.Combine(fromEnv, "SmartCity.IoT.sln")))
        {
            return fromEnv;
        }

        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SmartCity.IoT.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException($"Cannot find the repository root: run from the repository or set {Variable}.");
    }
}
