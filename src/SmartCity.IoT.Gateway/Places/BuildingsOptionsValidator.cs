using Microsoft.Extensions.Options;

namespace SmartCity.IoT.Gateway.Places;

/// <summary>Checks <see cref="BuildingsOptions"/> when the host starts.</summary>
internal sealed class BuildingsOptionsValidator : IValidateOptions<BuildingsOptions>
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    public ValidateOptionsResult Validate(string? name, BuildingsOptions options)
    {
        var failures = new List<string>();
        if (options.Path.Length > 0 && !Extensions.Contains(System.IO.Path.GetExtension(options.Path), StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"Buildings:Path must name a YAML or JSON file (*.yaml, *.yml, *.json), got '{options.Path}'");
        }

        if (options.Path.Length > 0 && Directory.Exists(Hosting.GatewayPaths.Resolve(options.Path)))
        {
            failures.Add($"Buildings:Path '{options.Path}' is a folder; name the model file in it (config/buildings.yaml)");
        }

        if (options.ReloadDelay < TimeSpan.Zero || options.ReloadDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add($"Buildings:ReloadDelay must be between 0 and 1 minute, got {options.ReloadDelay}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
