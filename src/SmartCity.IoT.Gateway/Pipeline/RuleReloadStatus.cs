using SmartCity.IoT.Core.Loading;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>The last rule reload's errors, kept until a reload succeeds, so the status page shows them until they are fixed.</summary>
internal sealed class RuleReloadStatus(TimeProvider time)
{
    private Failure? _failure;

    /// <summary>Null when the running rules are what the folder holds.</summary>
    public Failure? Current => Volatile.Read(ref _failure);

    public void Failed(IReadOnlyList<Diagnostic> errors) => Volatile.Write(ref _failure, new Failure(errors.Select(e => e.ToString()).ToArray(), time.GetUtcNow()));

    public void Succeeded() => Volatile.Write(ref _failure, null);

    /// <param name="Errors">Each error with file, line and column.</param>
    /// <param name="At">When the reload was refused; the rules from before keep running.</param>
    public sealed record Failure(IReadOnlyList<string> Errors, DateTimeOffset At);
}
