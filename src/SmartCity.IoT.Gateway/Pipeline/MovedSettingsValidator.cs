using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>
/// Refuses settings that moved (to the <c>Pipeline</c> and <c>DeadLetter</c> sections), naming the new key: silently
/// ignoring an old <c>Influx:BatchSize</c> would run with a batch size the operator did not choose.
/// </summary>
internal sealed class MovedSettingsValidator(IConfiguration configuration) : IValidateOptions<PipelineOptions>
{
    private static readonly (string Old, string New)[] Moved =
    [
        ("Influx:BatchSize", "Pipeline:BatchSize"),
        ("Influx:FlushInterval", "Pipeline:FlushInterval"),
        ("Gateway:MaxPendingBatches", "Pipeline:MaxPendingBatches"),
        ("Gateway:IdleFlush", "Pipeline:IdleFlush"),
        ("Gateway:DeadLetterPath", "DeadLetter:Path"),
        ("Gateway:DeadLetterPayloadBytes", "DeadLetter:PayloadBytes"),
        ("Spool:DeadLetterPath", "DeadLetter:Path"),
    ];

    public ValidateOptionsResult Validate(string? name, PipelineOptions options)
    {
        var errors = Moved
            .Where(m => configuration[m.Old] is not null)
            .Select(m => $"{m.Old} has moved to {m.New}: set {m.New} (environment: SMARTCITY__{m.New.Replace(":", "__", StringComparison.Ordinal)}) and remove {m.Old}.")
            .ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
