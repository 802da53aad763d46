namespace SmartCity.IoT.Rules.Loading;

/// <summary>Rules could not be loaded; <see cref="Errors"/> lists every problem found (all files are checked).</summary>
public sealed class RuleLoadException : Exception
{
    public RuleLoadException(IReadOnlyList<RuleLoadError> errors)
        : base(BuildMessage(errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<RuleLoadError> Errors { get; }

    private static string BuildMessage(IReadOnlyList<RuleLoadError> errors) =>
        $"{errors.Count} error(s) in rules:{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
}
