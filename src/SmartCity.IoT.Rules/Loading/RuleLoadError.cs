namespace SmartCity.IoT.Rules.Loading;

/// <summary>One problem in a rule file; <see cref="Line"/> and <see cref="Column"/> are 1-based.</summary>
public sealed record RuleLoadError(string File, int Line, int Column, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}
