namespace SmartCity.IoT.Rules.Language;

/// <summary>Parsed expression tree; <see cref="Position"/> is an offset into the expression text, for error messages.</summary>
internal abstract record SyntaxNode(int Position);

internal sealed record NumberLiteral(int Position, double Value) : SyntaxNode(Position);

internal sealed record StringLiteral(int Position, string Value) : SyntaxNode(Position);

internal sealed record BoolLiteral(int Position, bool Value) : SyntaxNode(Position);

internal sealed record DurationLiteral(int Position, TimeSpan Value, string Text) : SyntaxNode(Position);

/// <summary>A bare name: a vocabulary field.</summary>
internal sealed record NameReference(int Position, string Name) : SyntaxNode(Position);

/// <summary><c>tags.building</c>: a device tag (a string).</summary>
internal sealed record TagReference(int Position, string Name) : SyntaxNode(Position);

internal sealed record UnaryExpression(int Position, TokenKind Operator, SyntaxNode Operand) : SyntaxNode(Position);

internal sealed record BinaryExpression(int Position, TokenKind Operator, SyntaxNode Left, SyntaxNode Right) : SyntaxNode(Position);

internal sealed record CallExpression(int Position, string Function, IReadOnlyList<SyntaxNode> Arguments) : SyntaxNode(Position);
