namespace SmartCity.IoT.Rules.Language;

/// <summary>
/// Recursive-descent parser. Precedence, loosest first: <c>or</c>, <c>and</c>, <c>not</c>, comparisons,
/// <c>+ -</c>, <c>* / %</c>, unary minus, primaries (literals, names, <c>tags.x</c>, calls, parentheses).
/// </summary>
internal sealed class Parser
{
    /// <summary>
    /// Longest expression, in tokens. Parsing, compiling and evaluating recurse over the tree, whose depth is bounded by
    /// its size: a bound keeps a runaway expression (a generated or corrupted file) from overflowing the stack.
    /// </summary>
    public const int MaxTokens = 2000;

    /// <summary>Deepest nesting of parentheses, calls, <c>not</c> and unary signs.</summary>
    public const int MaxDepth = 64;

    private readonly List<Token> _tokens;
    private int _pos;
    private int _depth;

    private Parser(List<Token> tokens)
    {
        _tokens = tokens;
    }

    public static SyntaxNode Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new RuleSyntaxException(0, "empty expression");
        }

        var tokens = Lexer.Tokenize(text);
        if (tokens.Count > MaxTokens)
        {
            throw new RuleSyntaxException(tokens[MaxTokens].Position, $"the expression is too long ({tokens.Count - 1} tokens; at most {MaxTokens}): split it into several rules");
        }

        var parser = new Parser(tokens);
        var node = parser.ParseOr();
        var next = parser.Peek;
        if (next.Kind != TokenKind.End)
        {
            throw new RuleSyntaxException(next.Position, $"unexpected '{next.Text}' after the end of the expression");
        }

        return node;
    }

    private Token Peek => _tokens[_pos];

    private Token Next() => _tokens[_pos++];

    private bool Accept(TokenKind kind)
    {
        if (Peek.Kind == kind)
        {
            _pos++;
            return true;
        }

        return false;
    }

    private Token Expect(TokenKind kind, string what)
    {
        var t = Peek;
        if (t.Kind != kind)
        {
            throw new RuleSyntaxException(t.Position, t.Kind == TokenKind.End ? $"expected {what} but the expression ended" : $"expected {what} but found '{t.Text}'");
        }

        _pos++;
        return t;
    }

    private SyntaxNode ParseOr()
    {
        Enter(Peek);
        var left = ParseAnd();
        while (Peek.Kind == TokenKind.Or)
        {
            var op = Next();
            left = new BinaryExpression(op.Position, TokenKind.Or, left, ParseAnd());
        }

        _depth--;
        return left;
    }

    private SyntaxNode ParseAnd()
    {
        var left = ParseNot();
        while (Peek.Kind == TokenKind.And)
        {
            var op = Next();
            left = new BinaryExpression(op.Position, TokenKind.And, left, ParseNot());
        }

        return left;
    }

    private SyntaxNode ParseNot()
    {
        if (Peek.Kind == TokenKind.Not)
        {
            var op = Next();
            Enter(op);
            var operand = ParseNot();
            _depth--;
            return new UnaryExpression(op.Position, TokenKind.Not, operand);
        }

        return ParseComparison();
    }

    private SyntaxNode ParseComparison()
    {
        var left = ParseAdditive();
        var kind = Peek.Kind;
        if (kind is TokenKind.Greater or TokenKind.GreaterEqual or TokenKind.Less or TokenKind.LessEqual or TokenKind.Equal or TokenKind.NotEqual)
        {
            var op = Next();
            var right = ParseAdditive();
            var after = Peek.Kind;
            if (after is TokenKind.Greater or TokenKind.GreaterEqual or TokenKind.Less or TokenKind.LessEqual or TokenKind.Equal or TokenKind.NotEqual)
            {
                throw new RuleSyntaxException(Peek.Position, "comparisons cannot be chained: write 'a < b and b < c'");
            }

            return new BinaryExpression(op.Position, op.Kind, left, right);
        }

        return left;
    }

    private SyntaxNode ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Peek.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            var op = Next();
            left = new BinaryExpression(op.Position, op.Kind, left, ParseMultiplicative());
        }

        return left;
    }

    private SyntaxNode ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Peek.Kind is TokenKind.Star or TokenKind.Slash or TokenKind.Percent)
        {
            var op = Next();
            left = new BinaryExpression(op.Position, op.Kind, left, ParseUnary());
        }

        return left;
    }

    private SyntaxNode ParseUnary()
    {
        if (Peek.Kind == TokenKind.Minus)
        {
            var op = Next();
            Enter(op);
            var operand = ParseUnary();
            _depth--;
            return operand is NumberLiteral n ? n with { Position = op.Position, Value = -n.Value } : new UnaryExpression(op.Position, TokenKind.Minus, operand);
        }

        if (Peek.Kind == TokenKind.Plus)
        {
            Enter(Next());
            var operand = ParseUnary();
            _depth--;
            return operand;
        }

        return ParsePrimary();
    }

    private void Enter(Token at)
    {
        if (++_depth > MaxDepth)
        {
            throw new RuleSyntaxException(at.Position, $"the expression is nested more than {MaxDepth} levels deep");
        }
    }

    private SyntaxNode ParsePrimary()
    {
        var t = Next();
        switch (t.Kind)
        {
            case TokenKind.Number:
                return new NumberLiteral(t.Position, t.Number);
            case TokenKind.Duration:
                return new DurationLiteral(t.Position, t.Duration, t.Text);
            case TokenKind.String:
                return new StringLiteral(t.Position, t.Text);
            case TokenKind.True:
                return new BoolLiteral(t.Position, true);
            case TokenKind.False:
                return new BoolLiteral(t.Position, false);
            case TokenKind.LParen:
                var inner = ParseOr();
                Expect(TokenKind.RParen, "')'");
                return inner;
            case TokenKind.Identifier:
                if (Accept(TokenKind.LParen))
                {
                    var args = new List<SyntaxNode>();
                    if (!Accept(TokenKind.RParen))
                    {
                        do
                        {
                            args.Add(ParseOr());
                        }
                        while (Accept(TokenKind.Comma));

                        Expect(TokenKind.RParen, "',' or ')'");
                    }

                    return new CallExpression(t.Position, t.Text, args);
                }

                if (Peek.Kind == TokenKind.Dot)
                {
                    if (t.Text == "place")
                    {
                        Next();
                        return new PlaceReference(t.Position, Expect(TokenKind.Identifier, "an attribute name after 'place.'").Text);
                    }

                    if (t.Text is not ("tags" or "tag"))
                    {
                        throw new RuleSyntaxException(Peek.Position, $"'.' after '{t.Text}': only tags.<name> and place.<attribute> use a dot");
                    }

                    Next();
                    var name = Expect(TokenKind.Identifier, "a tag name after 'tags.'");
                    return new TagReference(t.Position, name.Text);
                }

                return new NameReference(t.Position, t.Text);
            case TokenKind.End:
                throw new RuleSyntaxException(t.Position, "the expression ended too early");
            default:
                throw new RuleSyntaxException(t.Position, $"unexpected '{t.Text}'");
        }
    }
}
