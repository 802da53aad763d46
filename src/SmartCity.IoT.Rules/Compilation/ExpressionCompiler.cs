using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Rules.Evaluation;
using SmartCity.IoT.Rules.Language;

namespace SmartCity.IoT.Rules.Compilation;

/// <summary>
/// Type-checks a parsed expression against the vocabulary and builds its evaluator. One instance per rule: it collects
/// the rule's windows, absent() clocks and trigger fields across all the rule's expressions.
/// </summary>
internal sealed partial class ExpressionCompiler(FieldVocabulary vocabulary)
{
    private static readonly string[] WindowFunctions = ["rate", "increase", "delta", "avg", "min", "max", "count", "absent"];
    private readonly Dictionary<SyntaxNode, EvalNode> _compiled = new(ReferenceEqualityComparer.Instance);

    public List<WindowSpec> Windows { get; } = [];

    /// <summary>Field ids whose time of last receipt absent() watches, one per absent() slot.</summary>
    public List<int> AbsentFields { get; } = [];

    /// <summary>The shortest duration of the rule's absent() calls (ns), 0 without any.</summary>
    public long ShortestAbsentNs { get; private set; }

    /// <summary>Fields whose arrival triggers evaluation.</summary>
    public SortedSet<int> TriggerFields { get; } = [];

    public CompiledExpression CompileCondition(string text)
    {
        var syntax = Parser.Parse(text);
        var (node, kind) = Compile(syntax);
        if (kind != ValueKind.Condition)
        {
            throw new RuleSyntaxException(syntax.Position, $"the expression is a {Describe(kind)}, not a condition: compare it (e.g. '{Shorten(text)} > 0')");
        }

        var (value, valueField) = FindValue(syntax);
        return new CompiledExpression(node, value, valueField);
    }

    public EvalNode CompileNumber(string text)
    {
        var syntax = Parser.Parse(text);
        var (node, kind) = Compile(syntax);
        if (kind != ValueKind.Number)
        {
            throw new RuleSyntaxException(syntax.Position, $"expected a number but the expression is a {Describe(kind)}");
        }

        return node;
    }

    /// <summary>
    /// What an alert of the condition reports: the left side of its first comparison (or the field a bare condition
    /// names), and the field when that is an enum or a boolean (reported by name, not by number).
    /// </summary>
    private (EvalNode? Node, FieldDefinition? Field) FindValue(SyntaxNode node) => node switch
    {
        BinaryExpression { Operator: TokenKind.And or TokenKind.Or } b => FindValue(b.Left) is { Node: not null } left ? left : FindValue(b.Right),
        BinaryExpression b when IsComparison(b.Operator) && _compiled.TryGetValue(b.Left, out var left) => left is ConstantNode ? default : (left, TermsField(b.Left)),
        UnaryExpression { Operator: TokenKind.Not } u => FindValue(u.Operand),
        CallExpression { Function: "absent" } c when _compiled.TryGetValue(c, out var a) && a is AbsentNode absent => (new AbsentAgeNode(absent.Slot), null),
        NameReference n when _compiled.TryGetValue(n, out var f) => (f, TermsField(n)),
        _ => default,
    };

    private FieldDefinition? TermsField(SyntaxNode node) =>
        node is NameReference r && vocabulary.TryGet(r.Name, out var field) && field.Type is FieldType.Enum or FieldType.Boolean ? field : null;

    private static bool IsComparison(TokenKind k) => k is TokenKind.Greater or TokenKind.GreaterEqual or TokenKind.Less or TokenKind.LessEqual or TokenKind.Equal or TokenKind.NotEqual;

    private (EvalNode Node, ValueKind Kind) Compile(SyntaxNode syntax)
    {
        var result = CompileCore(syntax);
        _compiled[syntax] = result.Node;
        return result;
    }

    private (EvalNode Node, ValueKind Kind) CompileCore(SyntaxNode syntax)
    {
        switch (syntax)
        {
            case NumberLiteral n:
                return (new ConstantNode(n.Value), ValueKind.Number);
            case BoolLiteral b:
                return (new ConstantNode(b.Value ? 1 : 0), ValueKind.Condition);
            case StringLiteral s:
                return (new StringNode(s.Value), ValueKind.String);
            case DurationLiteral d:
                return (new ConstantNode(d.Value.TotalSeconds), ValueKind.Duration);
            case TagReference t:
                return (new TagNode(t.Name), ValueKind.Tag);
            case PlaceReference p:
                return CompilePlace(p);
            case NameReference r:
                return CompileField(r);
            case UnaryExpression u:
                return CompileUnary(u);
            case BinaryExpression b:
                return CompileBinary(b);
            case CallExpression c:
                return CompileCall(c);
            default:
                throw new RuleSyntaxException(syntax.Position, "unsupported expression");
        }
    }

    private (EvalNode, ValueKind) CompileField(NameReference r)
    {
        RejectDeviceFieldOverPlaces(r);
        if (!vocabulary.TryGet(r.Name, out var field))
        {
            var hint = Array.IndexOf(WindowFunctions, r.Name) >= 0 ? $"; {r.Name} is a function: {r.Name}(field, 10m)" : $"; for a device tag write tags.{r.Name}";
            throw new RuleSyntaxException(r.Position, $"unknown field '{r.Name}'{Suggest(r.Name)}{hint}");
        }

        TriggerFields.Add(field.Id);
        return field.Type switch
        {
            FieldType.Boolean => (new BoolFieldNode(field.Id), ValueKind.Condition),
            FieldType.Enum => (new EnumFieldNode(field), ValueKind.Enum),
            _ => (new FieldNode(field.Id), ValueKind.Number),
        };
    }

    private (EvalNode, ValueKind) CompileUnary(UnaryExpression u)
    {
        var (operand, kind) = Compile(u.Operand);
        if (u.Operator == TokenKind.Not)
        {
            Require(kind, ValueKind.Condition, u.Operand.Position, "'not' needs a condition");
            return (new NotNode(operand), ValueKind.Condition);
        }

        Require(kind, ValueKind.Number, u.Operand.Position, "'-' needs a number");
        return (new NegateNode(operand), ValueKind.Number);
    }

    private (EvalNode, ValueKind) CompileBinary(BinaryExpression b)
    {
        var (left, lk) = Compile(b.Left);
        var (right, rk) = Compile(b.Right);
        var opText = OperatorText(b.Operator);
        switch (b.Operator)
        {
            case TokenKind.And or TokenKind.Or:
                Require(lk, ValueKind.Condition, b.Left.Position, $"'{opText}' needs conditions on both sides");
                Require(rk, ValueKind.Condition, b.Right.Position, $"'{opText}' needs conditions on both sides");
                return (b.Operator == TokenKind.And ? new AndNode(left, right) : new OrNode(left, right), ValueKind.Condition);

            case TokenKind.Plus or TokenKind.Minus or TokenKind.Star or TokenKind.Slash or TokenKind.Percent:
                Require(lk, ValueKind.Number, b.Left.Position, $"'{opText}' needs numbers");
                Require(rk, ValueKind.Number, b.Right.Position, $"'{opText}' needs numbers");
                EvalNode arith = b.Operator switch
                {
                    TokenKind.Plus => new AddNode(left, right),
                    TokenKind.Minus => new SubtractNode(left, right),
                    TokenKind.Star => new MultiplyNode(left, right),
                    TokenKind.Slash => new DivideNode(left, right),
                    _ => new ModuloNode(left, right),
                };
                return (arith, ValueKind.Number);

            default:
                return (CompileComparison(b, left, lk, right, rk, opText), ValueKind.Condition);
        }
    }

    private EvalNode CompileComparison(BinaryExpression b, EvalNode left, ValueKind lk, EvalNode right, ValueKind rk, string opText)
    {
        var op = b.Operator switch
        {
            TokenKind.Greater => CompareOp.Greater,
            TokenKind.GreaterEqual => CompareOp.GreaterEqual,
            TokenKind.Less => CompareOp.Less,
            TokenKind.LessEqual => CompareOp.LessEqual,
            TokenKind.Equal => CompareOp.Equal,
            _ => CompareOp.NotEqual,
        };
        var equality = op is CompareOp.Equal or CompareOp.NotEqual;

        if (lk == ValueKind.Number && rk == ValueKind.Number)
        {
            if (left is FieldNode f && right is ConstantNode c)
            {
                return new FieldCompareNode(f.FieldId, op, c.Value);
            }

            return new CompareNode(left, op, right);
        }

        if (lk == ValueKind.Condition && rk == ValueKind.Condition && equality)
        {
            return new BoolEqualsNode(left, right, op == CompareOp.NotEqual);
        }

        // Enums compare with their value names as strings: bay_state == "fault".
        if ((lk == ValueKind.Enum && rk == ValueKind.String) || (lk == ValueKind.String && rk == ValueKind.Enum))
        {
            var (enumNode, literal, literalPos) = lk == ValueKind.Enum ? ((EnumFieldNode)left, ((StringNode)right).Value, b.Right.Position) : ((EnumFieldNode)right, ((StringNode)left).Value, b.Left.Position);
            if (!equality)
            {
                throw new RuleSyntaxException(b.Position, $"'{enumNode.Field.Name}' is an enum ({string.Join(", ", enumNode.Field.EnumValues)}): compare it with == or !=, not '{opText}'");
            }

            var index = IndexOf(enumNode.Field.EnumValues, literal);
            if (index < 0)
            {
                throw new RuleSyntaxException(literalPos, $"'{literal}' is not a value of '{enumNode.Field.Name}': expected one of {string.Join(", ", enumNode.Field.EnumValues.Select(v => $"\"{v}\""))}");
            }

            return new FieldCompareNode(enumNode.Field.Id, op, index);
        }

        if ((lk == ValueKind.Tag && rk == ValueKind.String) || (lk == ValueKind.String && rk == ValueKind.Tag))
        {
            if (!equality)
            {
                throw new RuleSyntaxException(b.Position, $"tags are text: compare them with == or !=, not '{opText}'");
            }

            var tag = lk == ValueKind.Tag ? (TagNode)left : (TagNode)right;
            var value = lk == ValueKind.String ? ((StringNode)left).Value : ((StringNode)right).Value;
            return new TagEqualsNode(tag.Name, value, op == CompareOp.NotEqual);
        }

        var what = lk == ValueKind.Tag || rk == ValueKind.Tag ? " (tags are text; compare with a quoted string)" : lk == ValueKind.Enum || rk == ValueKind.Enum ? " (enums compare with a quoted value name)" : "";
        throw new RuleSyntaxException(b.Position, $"type error: cannot compare a {Describe(lk)} with a {Describe(rk)} using '{opText}'{what}");
    }

    private (EvalNode, ValueKind) CompileCall(CallExpression c)
    {
        if (IsAggregate(c))
        {
            return CompileAggregate(c);
        }

        RejectWindowOverPlaces(c);
        switch (c.Function)
        {
            case "abs":
                if (c.Arguments.Count != 1)
                {
                    throw new RuleSyntaxException(c.Position, "abs(x) takes one argument");
                }

                var (arg, kind) = Compile(c.Arguments[0]);
                Require(kind, ValueKind.Number, c.Arguments[0].Position, "abs() needs a number");
                return (new AbsNode(arg), ValueKind.Number);

            case "rate" or "increase" or "delta" or "avg" or "min" or "max" or "count" or "absent":
                if (c.Arguments.Count != 2)
                {
                    throw new RuleSyntaxException(c.Position, $"{c.Function}() takes two arguments: {c.Function}({(c.Function == "count" ? "condition" : "field")}, duration), e.g. {c.Function}({c.Function switch { "count" => "door_open", "increase" => "energy_kwh", _ => "co2" }}, 10m)");
                }

                var window = c.Arguments[1] as DurationLiteral ?? throw new RuleSyntaxException(c.Arguments[1].Position, $"the second argument of {c.Function}() must be a duration such as 10m ({DurationParser.Help})");
                if (window.Value <= TimeSpan.Zero || window.Value > TimeSpan.FromDays(7))
                {
                    throw new RuleSyntaxException(window.Position, $"window '{window.Text}' must be longer than 0 and at most 7d");
                }

                var ns = (long)(window.Value.TotalMilliseconds * 1_000_000);
                return c.Function switch
                {
                    "count" => CompileCount(c, ns),
                    "absent" => CompileAbsent(c, ns),
                    _ => CompileFieldWindow(c, ns),
                };

            default:
                throw new RuleSyntaxException(c.Position, $"unknown function '{c.Function}': known functions are rate, increase, delta, avg, min, max, sum, count, absent, abs");
        }
    }

    private (EvalNode, ValueKind) CompileFieldWindow(CallExpression c, long ns)
    {
        var field = RequireField(c, numeric: true);
        if (c.Function == "increase" && !field.IsCounter)
        {
            throw new RuleSyntaxException(c.Arguments[0].Position, $"increase() is for counter fields (counter: true in devices/vocabulary.yaml, such as energy_kwh); '{field.Name}' is a gauge: use delta({field.Name}, ...)");
        }

        TriggerFields.Add(field.Id);
        var slot = Windows.FindIndex(w => w.FieldId == field.Id && w.DurationNs == ns);
        if (slot < 0)
        {
            slot = Windows.Count;
            Windows.Add(new WindowSpec(field.Id, null, ns));
        }

        EvalNode node = c.Function switch
        {
            "rate" => new RateNode(slot, ns, field.IsCounter),
            "increase" => new IncreaseNode(slot, ns),
            "delta" => new DeltaNode(slot, ns),
            "avg" => new AvgNode(slot, ns),
            "min" => new MinNode(slot, ns),
            _ => new MaxNode(slot, ns),
        };
        return (node, ValueKind.Number);
    }

    private (EvalNode, ValueKind) CompileCount(CallExpression c, long ns)
    {
        var (condition, kind) = Compile(c.Arguments[0]);
        Require(kind, ValueKind.Condition, c.Arguments[0].Position, "count() counts readings where a condition held: count(co2 > 1000, 10m)");
        var slot = Windows.Count;
        Windows.Add(new WindowSpec(-1, condition, ns));
        return (new CountNode(slot, ns), ValueKind.Number);
    }

    private (EvalNode, ValueKind) CompileAbsent(CallExpression c, long ns)
    {
        var field = RequireField(c, numeric: false);
        var slot = AbsentFields.IndexOf(field.Id);
        if (slot < 0)
        {
            slot = AbsentFields.Count;
            AbsentFields.Add(field.Id);
        }

        ShortestAbsentNs = ShortestAbsentNs == 0 ? ns : Math.Min(ShortestAbsentNs, ns);
        return (new AbsentNode(slot, ns), ValueKind.Condition);
    }

    private FieldDefinition RequireField(CallExpression c, bool numeric)
    {
        if (c.Arguments[0] is not NameReference name)
        {
            throw new RuleSyntaxException(c.Arguments[0].Position, $"the first argument of {c.Function}() must be a field name");
        }

        if (!vocabulary.TryGet(name.Name, out var field))
        {
            throw new RuleSyntaxException(name.Position, $"unknown field '{name.Name}'{Suggest(name.Name)}");
        }

        if (numeric && field.Type is FieldType.Enum or FieldType.Boolean)
        {
            throw new RuleSyntaxException(name.Position, $"{c.Function}() needs a numeric field; '{field.Name}' is {field.Type.ToString().ToLowerInvariant()} (use count({field.Name} == ..., 10m))");
        }

        _compiled[name] = new FieldNode(field.Id);
        return field;
    }

    private string Suggest(string name)
    {
        var best = DidYouMean.Closest(name, vocabulary.Fields.Select(f => f.Name));
        return best is null ? "" : $" (did you mean '{best}'?)";
    }

    private static int IndexOf(IReadOnlyList<string> values, string value)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] == value)
            {
                return i;
            }
        }

        return -1;
    }

    private static void Require(ValueKind actual, ValueKind expected, int position, string message)
    {
        if (actual != expected)
        {
            throw new RuleSyntaxException(position, $"type error: {message}, found a {Describe(actual)}");
        }
    }

    private static string Describe(ValueKind kind) => kind switch
    {
        ValueKind.Number => "number",
        ValueKind.Condition => "condition",
        ValueKind.Enum => "enum field",
        ValueKind.String => "string",
        ValueKind.Tag => "tag (text)",
        _ => "duration",
    };

    private static string Shorten(string text) => text.Length > 30 ? text[..30] + "…" : text;

    private static string OperatorText(TokenKind k) => k switch
    {
        TokenKind.And => "and",
        TokenKind.Or => "or",
        TokenKind.Plus => "+",
        TokenKind.Minus => "-",
        TokenKind.Star => "*",
        TokenKind.Slash => "/",
        TokenKind.Percent => "%",
        TokenKind.Greater => ">",
        TokenKind.GreaterEqual => ">=",
        TokenKind.Less => "<",
        TokenKind.LessEqual => "<=",
        TokenKind.Equal => "==",
        _ => "!=",
    };

    /// <summary>Compile-time placeholders: strings, tags and enum fields only exist inside comparisons.</summary>
    private sealed class StringNode(string value) : EvalNode
    {
        public string Value { get; } = value;

        public override double Eval(in EvalContext ctx) => double.NaN;
    }

    private sealed class TagNode(string name) : EvalNode
    {
        public string Name { get; } = name;

        public override double Eval(in EvalContext ctx) => double.NaN;
    }

    private sealed class EnumFieldNode(FieldDefinition field) : EvalNode
    {
        public FieldDefinition Field { get; } = field;

        public override double Eval(in EvalContext ctx) => ctx.Latest[Field.Id];
    }
}
