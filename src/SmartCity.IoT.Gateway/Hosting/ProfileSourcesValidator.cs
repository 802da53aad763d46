using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Mqtt;

namespace SmartCity.IoT.Gateway.Hosting;

/// <summary>A profile's <c>source</c> must name a configured source; checked on start with the other options.</summary>
internal sealed class ProfileSourcesValidator(DeviceCatalog catalog, IEnumerable<IMessageSource> sources) : IValidateOptions<MqttOptions>
{
    public ValidateOptionsResult Validate(string? name, MqttOptions options)
    {
        var known = sources.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var errors = new List<string>();
        foreach (var profile in catalog.Profiles)
        {
            if (profile.Source is { } source && !known.Contains(source))
            {
                errors.Add($"{profile.SourcePath ?? profile.Id}: source '{source}' is not a configured source (configured: {string.Join(", ", known.Order(StringComparer.Ordinal))}); add it to Mqtt:Sources or change the profile's source");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
