using System.Text;
using System.Text.RegularExpressions;
using SmartCity.IoT.Devices.Commands;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Devices.Tests;

/// <summary>
/// Runs devices/README.md's walkthrough: writes the files it shows, applies its edits, runs each command it shows
/// (through the same static methods the gateway's command line calls) and checks the exit code and output it shows.
/// </summary>
public sealed partial class WalkthroughTests
{
    private const string CommandPrefix = "dotnet run --project src/SmartCity.IoT.Gateway -- devices ";

    [Fact]
    public void Readme_walkthrough_runs_as_written()
    {
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.Devices, "README.md"));
        using var temp = new TempDevices(withProfiles: true);
        File.Delete(Path.Combine(temp.Devices, "README.md"));
        string? lastOutput = null;
        var lastExit = -1;
        var steps = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var marker = Marker().Match(lines[i]);
            if (!marker.Success)
            {
                continue;
            }

            var (kind, args) = (marker.Groups[1].Value, marker.Groups[2].Value.Trim());
            switch (kind)
            {
                case "write":
                    temp.Write(args, Block(lines, ref i));
                    break;
                case "edit":
                    var parts = Quoted().Matches(args).Select(m => m.Groups[1].Value).ToArray();
                    var file = Path.Combine(temp.Root, args.Split(' ')[0]);
                    var text = File.ReadAllText(file);
                    Assert.Contains(parts[0], text, StringComparison.Ordinal);
                    File.WriteAllText(file, text.Replace(parts[0], parts[1], StringComparison.Ordinal));
                    break;
                case "run":
                    var command = Block(lines, ref i).Trim();
                    Assert.StartsWith(CommandPrefix, command, StringComparison.Ordinal);
                    (lastExit, lastOutput) = Run(command[CommandPrefix.Length..], temp);
                    steps++;
                    break;
                case "expect":
                    var expectedExit = int.Parse(args.Replace("exit=", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
                    Assert.NotNull(lastOutput);
                    Assert.True(expectedExit == lastExit, $"exit {lastExit}, expected {expectedExit}:\n{lastOutput}");
                    var normalizedOutput = lastOutput!.Split('\n').Select(Normalize).ToList();
                    foreach (var expected in Block(lines, ref i).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                    {
                        // A line ending in "..." only fixes its beginning (counts change as profiles are added).
                        var want = Normalize(expected);
                        var found = want.EndsWith("...", StringComparison.Ordinal)
                            ? normalizedOutput.Any(l => l.StartsWith(want[..^3], StringComparison.Ordinal))
                            : normalizedOutput.Contains(want);
                        Assert.True(found, $"README expects the line\n  {expected}\nbut the output was\n{lastOutput}");
                    }

                    break;
            }
        }

        Assert.True(steps >= 4, "the walkthrough should run at least four commands");
    }

    private static (int Exit, string Output) Run(string arguments, TempDevices temp)
    {
        var args = Tokens(arguments);
        var output = new StringWriter();
        int exit;
        switch (args[0])
        {
            case "validate":
                exit = DeviceCommands.Validate(args.Skip(1).Select(a => Path.Combine(temp.Root, a)).ToList(), temp.Devices, output);
                break;
            case "test":
                var topic = args[args.IndexOf("--topic") + 1];
                byte[] payload = args.Contains("--payload")
                    ? File.ReadAllBytes(Path.Combine(temp.Root, args[args.IndexOf("--payload") + 1]))
                    : Convert.FromHexString(args[args.IndexOf("--hex") + 1].Replace(" ", "", StringComparison.Ordinal));
                exit = DeviceCommands.Test(Path.Combine(temp.Root, args[1]), topic, payload, temp.Devices, output);
                break;
            default:
                throw new InvalidOperationException("unknown walkthrough command " + args[0]);
        }

        // Paths print relative to the working directory; the README runs from the repository root.
        return (exit, output.ToString().Replace(temp.Root + Path.DirectorySeparatorChar, "", StringComparison.Ordinal));
    }

    private static List<string> Tokens(string s) => Token().Matches(s).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Value).ToList();

    private static string Block(string[] lines, ref int i)
    {
        while (!lines[++i].StartsWith("```", StringComparison.Ordinal))
        {
        }

        var sb = new StringBuilder();
        while (!lines[++i].StartsWith("```", StringComparison.Ordinal))
        {
            sb.Append(lines[i]).Append('\n');
        }

        return sb.ToString();
    }

    private static string Normalize(string line) => Spaces().Replace(line.Trim(), " ");

    [GeneratedRegex(@"^<!-- walkthrough:(\w+)\s*(.*?)\s*-->$")]
    private static partial Regex Marker();

    [GeneratedRegex("\"([^\"]*)\"")]
    private static partial Regex Quoted();

    [GeneratedRegex("\"([^\"]*)\"|\\S+")]
    private static partial Regex Token();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
