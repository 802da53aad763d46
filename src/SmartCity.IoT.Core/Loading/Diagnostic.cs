namespace SmartCity.IoT.Core.Loading;

/// <summary>
/// One problem in a device profile, the vocabulary or a rule file. Printed like a compiler error
/// (<c>file:line:col: error: message</c>) so editors and CI can jump to it; <see cref="Line"/> and <see cref="Column"/> are 1-based.
/// </summary>
/// <param name="Suggestion">The closest known name when the message says "did you mean", for tools that offer a fix.</param>
public sealed record Diagnostic(string File, int Line, int Column, string Message, string? Suggestion = null)
{
    public override string ToString() => $"{File}:{Line}:{Column}: error: {Message}";

    /// <summary>The same position and message as a warning: something that loads but deserves a look.</summary>
    public string ToWarningString() => $"{File}:{Line}:{Column}: warning: {Message}";
}
