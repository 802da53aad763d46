using System.CommandLine;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Core.Places;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Gateway.Hosting;
using SmartCity.IoT.Gateway.Places;

namespace SmartCity.IoT.Gateway.Commands;

/// <summary>
/// <c>model validate</c>: the building model checked on its own (parents, cycles, ids, kinds, hours) and against the
/// profiles, the rules and the simulator's devices; <c>model unplaced</c>: the simulated devices the model leaves unplaced.
/// </summary>
internal static class ModelCommandLine
{
    /// <summary>The demo's simulator publishes this many devices per profile (config/appsettings.json).</summary>
    private const int DemoDevicesPerProfile = 3;

    public static Command Build()
    {
        var path = new Argument<string?>("path") { Description = "The model file (default: config/buildings.yaml)", Arity = ArgumentArity.ZeroOrOne };
        var devicesRoot = new Option<string>("--devices-root") { Description = "Folder of profiles and vocabulary.yaml", DefaultValueFactory = _ => GatewayPaths.Resolve("devices") };
        var rules = new Option<string>("--rules") { Description = "The alert rules folder (for checks on the place attributes rules read)", DefaultValueFactory = _ => GatewayPaths.Resolve("config/rules") };
        var simulated = new Option<int>("--simulated-devices") { Description = "Devices per profile the simulator publishes (the demo's Simulator:DevicesPerProfile)", DefaultValueFactory = _ => DemoDevicesPerProfile };
        var validate = new Command("validate", "Check the building model; exit 1 on any error, warn about simulated devices it leaves unplaced") { path, devicesRoot, rules, simulated };
        validate.SetAction(parse => Validate(File(parse.GetValue(path)), parse.GetValue(devicesRoot)!, parse.GetValue(rules)!, Count(parse.GetValue(simulated)), Console.Out));
        var unplaced = new Command("unplaced", "List the simulated devices the model does not place; exit 1 when there are any") { path, devicesRoot, simulated };
        unplaced.SetAction(parse => Unplaced(File(parse.GetValue(path)), parse.GetValue(devicesRoot)!, Count(parse.GetValue(simulated)), Console.Out));
        return new Command("model", "Tools for the building model (sites, buildings, floors, zones and where devices are)") { validate, unplaced };
    }

    internal static int Validate(string path, string devicesRoot, string rulesPath, int simulatedPerProfile, TextWriter output)
    {
        if (!System.IO.File.Exists(path))
        {
            output.WriteLine($"{path}: error: no such file");
            output.WriteLine("FAILED: 1 error(s), 0 warning(s)");
            return 1;
        }

        var errors = new List<Diagnostic>();
        var warnings = new List<Diagnostic>();
        var document = BuildingModelLoader.TryLoad(path, path, errors);
        if (document is not null)
        {
            // A broken profile is reported by the top-level handler, as `devices validate` would list it.
            var catalog = DeviceCatalog.Load(devicesRoot);
            foreach (var check in BuildingModelChecks.Create(catalog, rulesPath, simulatedPerProfile))
            {
                check.Check(document, errors, warnings);
            }
        }

        foreach (var e in errors)
        {
            output.WriteLine(e);
        }

        foreach (var w in warnings)
        {
            output.WriteLine(w.ToWarningString());
        }

        output.WriteLine(errors.Count == 0
            ? $"OK: {path}, {document!.Model.Places.Count} place(s), {document.Placement.ByDevice.Count} device(s) placed by id, {document.Placement.Rules.Count} placement rule(s), no errors, {warnings.Count} warning(s)"
            : $"FAILED: {errors.Count} error(s), {warnings.Count} warning(s) in {path}");
        return errors.Count == 0 ? 0 : 1;
    }

    internal static int Unplaced(string path, string devicesRoot, int simulatedPerProfile, TextWriter output)
    {
        var errors = new List<Diagnostic>();
        var document = System.IO.File.Exists(path) ? BuildingModelLoader.TryLoad(path, path, errors) : null;
        if (document is null)
        {
            output.WriteLine(errors.Count == 0 ? $"{path}: error: no such file" : string.Join(Environment.NewLine, errors));
            return 1;
        }

        var devices = SimulatedDevices.Of(DeviceCatalog.Load(devicesRoot), simulatedPerProfile);
        var count = 0;
        foreach (var d in devices)
        {
            var place = document.Placement.PlaceOf(d.Profile.Id, d.Profile.Family, d.DeviceId, d.TopicTags, out var rule);
            if (place is null)
            {
                count++;
                output.WriteLine($"{d.DeviceId}\t{d.Profile.Id}\t{string.Join(",", d.TopicTags.Select(t => $"{t.Key}={t.Value}"))}");
            }
        }

        output.WriteLine(count == 0 ? $"All {devices.Count} simulated devices are placed." : $"{count} of {devices.Count} simulated devices are unplaced.");
        return count == 0 ? 0 : 1;
    }

    private static string File(string? path) => path ?? GatewayPaths.Resolve("config/buildings.yaml");

    private static int Count(int n) => n is >= 1 and <= 1000 ? n : throw new CommandLineException($"--simulated-devices must be between 1 and 1000, got {n}");
}
