namespace SmartCity.IoT.Rules.Language;

/// <summary>A lexical token; <see cref="Position"/> is the offset of its first character in the expression text.</summary>
internal readonly record struct Token(TokenKind Kind, int Position, string Text, double Number = 0, TimeSpan Duration = default);
