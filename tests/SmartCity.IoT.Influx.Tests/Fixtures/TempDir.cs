namespace SmartCity.IoT.Influx.Tests.Fixtures;

/// <summary>A scratch directory under /tmp, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "influx-test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
