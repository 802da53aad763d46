using System.CommandLine;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Gateway.Hosting;
using SmartCity.IoT.Rules.Loading;

namespace SmartCity.IoT.Gateway.Commands;

/// <summary><c>rules validate</c>: rule files and folders checked against the vocabulary and the loaded profiles.</summary>
internal static class RulesCommandLine
{
    public static Command Build()
    {
        var paths = new Argument<string[]>("paths") { Description = "Rule files or folders (default: config/rules)", Arity = ArgumentArity.ZeroOrMore };
        var devicesRoot = new Option<string>("--devices-root") { Description = "Folder of profiles and vocabulary.yaml", DefaultValueFactory = _ => GatewayPaths.Resolve("devices") };
        var validate = new Command("validate", "Check rule files; exit 1 on any error, warn about match terms no profile has") { paths, devicesRoot };
        validate.SetAction(parse => Validate(parse.GetValue(paths) is { Length: > 0 } p ? p : [GatewayPaths.Resolve("config/rules")], parse.GetValue(devicesRoot)!, Console.Out));
        return new Command("rules", "Tools for alert rules") { validate };
    }

    internal static int Validate(IReadOnlyList<string> paths, string devicesRoot, TextWriter output)
    {
        var files = new List<string>();
        var problems = new List<string>();
        var warnings = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var found = RuleLoader.FilesIn(path);
                if (found.Count == 0)
                {
                    warnings.Add($"{path}: warning: no rule files ({string.Join(", ", RuleLoader.Extensions.Select(e => "*" + e))}) in this folder");
                }

                files.AddRange(found);
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                problems.Add($"{path}: error: no such file or folder");
            }
        }

        // A broken profile is reported by the top-level handler, as `devices validate` would list it.
        var catalog = DeviceCatalog.Load(devicesRoot);
        var count = 0;
        try
        {
            var rules = RuleLoader.LoadFiles(files, catalog.Vocabulary);
            count = rules.Count;
            warnings.AddRange(RuleMatchCheck.Warnings(rules, catalog).Select(w => $"{w.File}:{w.Line}:{w.Column}: warning: {w.Message}"));
        }
        catch (DiagnosticException ex)
        {
            problems.AddRange(ex.Errors.Select(e => e.ToString()));
        }

        foreach (var line in problems.Concat(warnings))
        {
            output.WriteLine(line);
        }

        var where = $"{files.Count} rule file(s)";
        output.WriteLine(problems.Count == 0
            ? $"OK: {where}, {count} rule(s), no errors, {warnings.Count} warning(s)"
            : $"FAILED: {problems.Count} error(s), {warnings.Count} warning(s) in {where}");
        return problems.Count == 0 ? 0 : 1;
    }
}
