using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Rules.Language;

/// <summary>Finds the field-against-constant comparisons in a rule's levels, for charts (read-only; the engine never uses it).</summary>
public static class ThresholdFinder
{
    /// <summary>Every <c>field op number</c> (or <c>number op field</c>, turned round) in <paramref name="rule"/>'s levels.</summary>
    public static IReadOnlyList<RuleThreshold> Find(RuleDefinition rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var found = new List<RuleThreshold>();
        foreach (var level in rule.Levels)
        {
            SyntaxNode tree;
            try
            {
                tree = Parser.Parse(level.Expression);
            }
            catch (RuleSyntaxException)
            {
                continue; // a loaded rule always parses; nothing to draw otherwise
            }

            Walk(tree, rule.Name, level.Severity, found);
        }

        return found;
    }

    private static void Walk(SyntaxNode node, string rule, AlertSeverity severity, List<RuleThreshold> found)
    {
        switch (node)
        {
            case BinaryExpression { Left: NameReference f, Right: NumberLiteral n } b when Op(b.Operator, false) is { } op:
                found.Add(new RuleThreshold(rule, severity, f.Name, op, n.Value));
                break;
            case BinaryExpression { Left: NumberLiteral n, Right: NameReference f } b when Op(b.Operator, true) is { } op:
                found.Add(new RuleThreshold(rule, severity, f.Name, op, n.Value));
                break;
            case BinaryExpression { Left: CallExpression { Arguments: [NameReference f, ..] }, Right: NumberLiteral n } b when Op(b.Operator, false) is { } op:
                found.Add(new RuleThreshold(rule, severity, f.Name, op, n.Value)); // avg(co2, 10m) > 1000: drawn on co2's chart
                break;
            case BinaryExpression b:
                Walk(b.Left, rule, severity, found);
                Walk(b.Right, rule, severity, found);
                break;
            case UnaryExpression u:
                Walk(u.Operand, rule, severity, found);
                break;
            case CallExpression c:
                foreach (var a in c.Arguments)
                {
                    Walk(a, rule, severity, found);
                }

                break;
        }
    }

    private static string? Op(TokenKind kind, bool flipped) => kind switch
    {
        TokenKind.Greater => flipped ? "<" : ">",
        TokenKind.GreaterEqual => flipped ? "<=" : ">=",
        TokenKind.Less => flipped ? ">" : "<",
        TokenKind.LessEqual => flipped ? ">=" : "<=",
        _ => null,
    };
}
