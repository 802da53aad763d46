namespace SmartCity.IoT.Rules.Language;

/// <summary>Parsed expression tree; <see cref="Position"/> is an offset into the expression text, for error messages.</summary>
public abstract record SyntaxNode(int Position);

public sealed record NumberLiteral(int Position, double Value) : SyntaxNode(Position);

public sealed record StringLiteral(int Position, string Value) : SyntaxNode(Position);

public sealed record BoolLiteral(int Position, bool Value) : SyntaxNode(Position);

public sealed record DurationLiteral(int Position, TimeSpan Value, string Text) : SyntaxNode(Position);

/// <summary>A bare name: a vocabulary field.</summary>
public sealed record NameReference(int Position, string Name) : SyntaxNode(Position);

/// <summary><c>tags.building</c>: a device tag (a string).</summary>
public sealed record TagReference(int Position, string Name) : SyntaxNode(Position);

public sealed record UnaryExpression(int Position, TokenKind Operator, SyntaxNode Operand) : SyntaxNode(Position);

public sealed record BinaryExpression(int Position, TokenKind Operator, SyntaxNode Left, SyntaxNode Right) : SyntaxNode(Position);

public sealed record CallExpression(int Position, string Function, IReadOnlyList<SyntaxNode> Arguments) : SyntaxNode(Position);
