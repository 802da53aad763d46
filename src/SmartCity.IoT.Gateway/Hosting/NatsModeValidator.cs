using Microsoft.Extensions.Options;
using SmartCity.IoT.Influx;

namespace SmartCity.IoT.Gateway.Hosting;

/// <summary>
/// Refuses, on start, what NATS mode cannot keep: an explicit <c>Spool:Enabled: true</c> (it would acknowledge readings
/// only this machine holds) and an empty <c>Influx:Url</c> (there would be nowhere durable to write them).
/// </summary>
internal sealed class NatsModeValidator(IConfiguration configuration, SourceSelection selection) : IValidateOptions<SpoolOptions>
{
    public ValidateOptionsResult Validate(string? name, SpoolOptions options)
    {
        if (!selection.Nats)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        if (bool.TryParse(configuration["Spool:Enabled"], out var enabled) && enabled)
        {
            errors.Add("Spool:Enabled is true while Nats:Url is set: a reading spooled on this machine would be acknowledged to the stream while only this machine holds it. Remove Spool:Enabled: in NATS mode the stream keeps each reading until InfluxDB has it.");
        }

        if (string.IsNullOrWhiteSpace(configuration["Influx:Url"]))
        {
            errors.Add("Influx:Url is empty while Nats:Url is set: in NATS mode readings are acknowledged to the stream only once InfluxDB has them (no local spool); set Influx:Url.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
