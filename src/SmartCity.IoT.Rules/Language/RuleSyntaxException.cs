namespace SmartCity.IoT.Rules.Language;

/// <summary>A syntax or type error at an offset of an expression; the loader turns the offset into file, line and column.</summary>
internal sealed class RuleSyntaxException(int position, string message) : Exception(message)
{
    public int Position { get; } = position;
}
