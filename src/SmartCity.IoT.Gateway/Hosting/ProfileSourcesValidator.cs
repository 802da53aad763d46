using Microsoft.Extensions.Options;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Mqtt;

namespace SmartCity.IoT.Gateway.Hosting;

/// <summary>A profile's <c>source</c> must name a configured source; checked on start with the other options.</summary>
/// <remarks>Checks against the MQTT sources being validated: resolving the sources themselves here would need these very options.</remarks>
internal sealed class ProfileSourcesValidator(DeviceCatalog catalog, IConfiguration configuration, SourceSelection? selection = null) : IValidateOptions<MqttOptions>
{
    public ValidateOptionsResult Validate(string? name, MqttOptions options)
    {
        var sources = selection ?? SourceSelection.From(configuration);
        var known = sources.Mqtt ? options.Connections().Select(s => s.Name).ToHashSet(StringComparer.Ordinal) : new HashSet<string>(StringComparer.Ordinal);
        if (sources.Nats)
        {
            known.Add(configuration["Nats:Name"] is { Length: > 0 } nats ? nats : "nats");
        }

        known.UnionWith(configuration.GetSection("HttpIngest:Sources").GetChildren().Select(c => c["Name"]).OfType<string>());
        var errors = new List<string>();
        foreach (var profile in catalog.Profiles)
        {
            if (profile.Source is { } source && !known.Contains(source))
            {
                errors.Add($"{profile.SourcePath ?? profile.Id}: source '{source}' is not a configured source (configured: {string.Join(", ", known.Order(StringComparer.Ordinal))}); add it to Mqtt:Sources or HttpIngest:Sources (or set Nats:Name) or change the profile's source");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
