using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Devices;

namespace SmartCity.IoT.Gateway.Status;

/// <summary>Checks <see cref="StatusOptions"/>: a usable hierarchy, key fields from the vocabulary, sane history bounds.</summary>
internal sealed class StatusOptionsValidator(DeviceCatalog catalog) : IValidateOptions<StatusOptions>
{
    public ValidateOptionsResult Validate(string? name, StatusOptions options)
    {
        var errors = new List<string>();
        if (options.Hierarchy.Length == 0 || options.Hierarchy.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add("Status:Hierarchy: list the device tags that form places, outermost first, e.g. [\"building\", \"floor\", \"zone\"]");
        }
        else if (options.Hierarchy.Distinct(StringComparer.Ordinal).Count() != options.Hierarchy.Length)
        {
            errors.Add($"Status:Hierarchy: a tag appears twice in [{string.Join(", ", options.Hierarchy)}]");
        }

        var names = catalog.Vocabulary.Fields.Select(f => f.Name).ToArray();
        foreach (var field in options.KeyFields)
        {
            if (!catalog.Vocabulary.TryGet(field, out _))
            {
                errors.Add($"Status:KeyFields: '{field}' is not a field of the vocabulary{DidYouMean.Hint(field, names)}");
            }
        }

        if (options.SilentAfter <= TimeSpan.Zero)
        {
            errors.Add($"Status:SilentAfter: must be positive (was {options.SilentAfter})");
        }

        if (options.DevicesPerPage is < 10 or > 10_000)
        {
            errors.Add($"Status:DevicesPerPage: must be between 10 and 10000 (was {options.DevicesPerPage})");
        }

        if (options.HistoryInterval < TimeSpan.FromMilliseconds(100))
        {
            errors.Add($"Status:HistoryInterval: must be at least 100 ms (was {options.HistoryInterval})");
        }

        if (options.HistoryPoints is < 2 or > 10_000)
        {
            errors.Add($"Status:HistoryPoints: must be between 2 and 10000 (was {options.HistoryPoints})");
        }

        if (options.HistoryMaxDevices is < 0 or > 1_000_000)
        {
            errors.Add($"Status:HistoryMaxDevices: must be between 0 and 1000000 (was {options.HistoryMaxDevices})");
        }

        if (options.FloorRefresh < TimeSpan.FromMilliseconds(200) || options.FloorRefresh > TimeSpan.FromHours(1))
        {
            errors.Add($"Status:FloorRefresh: must be between 00:00:00.200 and 01:00:00 (was {options.FloorRefresh})");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
