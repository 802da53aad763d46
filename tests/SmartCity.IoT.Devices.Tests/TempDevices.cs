using SmartCity.IoT.Devices.Commands;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Devices.Tests;

/// <summary>A throw-away copy of devices/ (vocabulary and, optionally, every profile) to break on purpose.</summary>
internal sealed class TempDevices : IDisposable
{
    public TempDevices(bool withProfiles = false)
    {
        Root = Path.Combine(Path.GetTempPath(), "smartcity-devices-" + Guid.NewGuid().ToString("N"));
        Devices = Path.Combine(Root, "devices");
        Directory.CreateDirectory(Devices);
        File.Copy(Path.Combine(RepoPaths.Devices, "vocabulary.yaml"), Path.Combine(Devices, "vocabulary.yaml"));
        if (withProfiles)
        {
            foreach (var file in Directory.EnumerateFiles(RepoPaths.Devices, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(Devices, Path.GetRelativePath(RepoPaths.Devices, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target, overwrite: true);
            }
        }
    }

    public string Root { get; }

    public string Devices { get; }

    public string Write(string relativePath, string content)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Runs <c>devices validate</c> on <paramref name="files"/> (none: every profile) against this devices folder.</summary>
    public (int Exit, string Output) Validate(params string[] files)
    {
        var output = new StringWriter();
        var exit = DeviceCommands.Validate(files, Devices, output);
        return (exit, output.ToString());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
