namespace SmartCity.IoT.Core.Loading;

/// <summary>Files could not be loaded; <see cref="Errors"/> lists every problem found (every file is checked before this is thrown).</summary>
public sealed class DiagnosticException : Exception
{
    public DiagnosticException(string subject, IReadOnlyList<Diagnostic> errors)
        : base($"{errors.Count} error(s) in {subject}:{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
    {
        Subject = subject;
        Errors = errors;
    }

    /// <summary>What was being loaded, e.g. "the device profiles" or "the alert rules".</summary>
    public string Subject { get; }

    public IReadOnlyList<Diagnostic> Errors { get; }
}
