using Microsoft.Extensions.Options;

namespace SmartCity.IoT.Influx;

/// <summary>Checks <see cref="SpoolOptions"/> at start-up and names the key that is wrong.</summary>
internal sealed class SpoolOptionsValidator : IValidateOptions<SpoolOptions>
{
    public const long MinSegmentBytes = 4096;

    public ValidateOptionsResult Validate(string? name, SpoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            errors.Add("Spool:Path is required (a directory for the spool segments).");
        }

        if (options.SegmentBytes < MinSegmentBytes)
        {
            errors.Add($"Spool:SegmentBytes {options.SegmentBytes} must be at least {MinSegmentBytes}.");
        }

        if (options.MaxBytes < 2 * options.SegmentBytes)
        {
            errors.Add($"Spool:MaxBytes {options.MaxBytes} must be at least twice Spool:SegmentBytes ({options.SegmentBytes}).");
        }

        if (!Enum.IsDefined(options.FullPolicy))
        {
            errors.Add($"Spool:FullPolicy '{options.FullPolicy}' must be Block, DropOldest or DropNewest.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
