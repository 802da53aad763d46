using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.DeadLetters;

namespace SmartCity.IoT.Influx;

/// <summary>Checks <see cref="DeadLetterOptions"/> at start-up (Core has no options package, so the adapter lives here).</summary>
internal sealed class DeadLetterOptionsValidator : IValidateOptions<DeadLetterOptions>
{
    public ValidateOptionsResult Validate(string? name, DeadLetterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
