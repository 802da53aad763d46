using System.Globalization;
using System.Text;

namespace SmartCity.IoT.Rules.Language;

/// <summary>Splits an expression into tokens. Runs at load time only.</summary>
internal static class Lexer
{
    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                tokens.Add(new Token(TokenKind.End, i, ""));
                return tokens;
            }

            var c = text[i];
            var start = i;
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                tokens.Add(ReadNumberOrDuration(text, ref i));
                continue;
            }

            if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                var word = text[start..i];
                var kind = word switch
                {
                    "and" => TokenKind.And,
                    "or" => TokenKind.Or,
                    "not" => TokenKind.Not,
                    "true" => TokenKind.True,
                    "false" => TokenKind.False,
                    _ => TokenKind.Identifier,
                };
                tokens.Add(new Token(kind, start, word));
                continue;
            }

            if (c is '"' or '\'')
            {
                tokens.Add(ReadString(text, ref i));
                continue;
            }

            var two = i + 1 < text.Length ? text.AsSpan(i, 2) : default;
            TokenKind op;
            var len = 2;
            if (two is ">=") op = TokenKind.GreaterEqual;
            else if (two is "<=") op = TokenKind.LessEqual;
            else if (two is "==") op = TokenKind.Equal;
            else if (two is "!=") op = TokenKind.NotEqual;
            else if (two is "&&") op = TokenKind.And;
            else if (two is "||") op = TokenKind.Or;
            else
            {
                len = 1;
                op = c switch
                {
                    '(' => TokenKind.LParen,
                    ')' => TokenKind.RParen,
                    ',' => TokenKind.Comma,
                    '.' => TokenKind.Dot,
                    '+' => TokenKind.Plus,
                    '-' => TokenKind.Minus,
                    '*' => TokenKind.Star,
                    '/' => TokenKind.Slash,
                    '%' => TokenKind.Percent,
                    '>' => TokenKind.Greater,
                    '<' => TokenKind.Less,
                    '!' => TokenKind.Not,
                    '=' => throw new RuleSyntaxException(i, "'=' is not an operator: write '==' to compare"),
                    _ => throw new RuleSyntaxException(i, $"unexpected character '{c}'"),
                };
            }

            tokens.Add(new Token(op, i, text.Substring(i, len)));
            i += len;
        }
    }

    private static Token ReadNumberOrDuration(string text, ref int i)
    {
        var start = i;
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
        {
            i++;
        }

        // Exponent (1e3) only when followed by digits, so "1e" is not mistaken for a duration unit.
        if (i + 1 < text.Length && text[i] is 'e' or 'E' && (char.IsAsciiDigit(text[i + 1]) || (text[i + 1] is '+' or '-' && i + 2 < text.Length && char.IsAsciiDigit(text[i + 2]))))
        {
            i += 2;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }

        if (i < text.Length && (char.IsAsciiLetter(text[i]) || text[i] == '_'))
        {
            // A number glued to letters is a duration literal (5m, 1h30m) or a malformed one (5x, 10mm).
            while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '.' or '_'))
            {
                i++;
            }

            var literal = text[start..i];
            if (!DurationParser.TryParse(literal, out var duration))
            {
                throw new RuleSyntaxException(start, $"malformed duration '{literal}': {DurationParser.Help}");
            }

            return new Token(TokenKind.Duration, start, literal, Duration: duration);
        }

        var numberText = text[start..i];
        if (!double.TryParse(numberText, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            throw new RuleSyntaxException(start, $"malformed number '{numberText}'");
        }

        return new Token(TokenKind.Number, start, numberText, value);
    }

    private static Token ReadString(string text, ref int i)
    {
        var quote = text[i];
        var start = i++;
        var sb = new StringBuilder();
        while (i < text.Length && text[i] != quote)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                i++;
            }

            sb.Append(text[i++]);
        }

        if (i >= text.Length)
        {
            throw new RuleSyntaxException(start, "unterminated string literal");
        }

        i++;
        return new Token(TokenKind.String, start, sb.ToString());
    }
}
