namespace SmartCity.IoT.Rules.Evaluation;

/// <summary>General comparison of two numeric expressions.</summary>
internal sealed class CompareNode(EvalNode left, CompareOp op, EvalNode right) : EvalNode
{
    public EvalNode Left { get; } = left;

    public override double Eval(in EvalContext ctx)
    {
        var a = Left.Eval(ctx);
        var b = right.Eval(ctx);
        if (!Known(a, b))
        {
            return double.NaN;
        }

        return Apply(op, a, b) ? 1 : 0;
    }

    public static bool Apply(CompareOp op, double a, double b) => op switch
    {
        CompareOp.Greater => a > b,
        CompareOp.GreaterEqual => a >= b,
        CompareOp.Less => a < b,
        CompareOp.LessEqual => a <= b,
        CompareOp.Equal => a == b,
        _ => a != b,
    };
}

/// <summary>Fast path for the most common rule shape, <c>field op constant</c> (<c>co2 &gt; 1000</c>, <c>bay_state == "fault"</c>).</summary>
internal sealed class FieldCompareNode(int fieldId, CompareOp op, double constant) : EvalNode
{
    public int FieldId { get; } = fieldId;

    public override double Eval(in EvalContext ctx)
    {
        var a = ctx.Latest[FieldId];
        if (!double.IsFinite(a))
        {
            return double.NaN;
        }

        return op switch
        {
            CompareOp.Greater => a > constant ? 1 : 0,
            CompareOp.GreaterEqual => a >= constant ? 1 : 0,
            CompareOp.Less => a < constant ? 1 : 0,
            CompareOp.LessEqual => a <= constant ? 1 : 0,
            CompareOp.Equal => a == constant ? 1 : 0,
            _ => a != constant ? 1 : 0,
        };
    }
}

/// <summary><c>tags.building == "HQ1"</c>: a missing tag compares as the empty string.</summary>
internal sealed class TagEqualsNode(string tag, string value, bool negate) : EvalNode
{
    public override double Eval(in EvalContext ctx)
    {
        var actual = "";
        foreach (var kv in ctx.Tags)
        {
            if (string.Equals(kv.Key, tag, StringComparison.Ordinal))
            {
                actual = kv.Value;
                break;
            }
        }

        return string.Equals(actual, value, StringComparison.Ordinal) != negate ? 1 : 0;
    }
}

internal sealed class AndNode(EvalNode left, EvalNode right) : EvalNode
{
    public override double Eval(in EvalContext ctx)
    {
        var a = left.Eval(ctx);
        if (a == 0)
        {
            return 0;
        }

        var b = right.Eval(ctx);
        if (b == 0)
        {
            return 0;
        }

        return double.IsNaN(a) || double.IsNaN(b) ? double.NaN : 1;
    }
}

internal sealed class OrNode(EvalNode left, EvalNode right) : EvalNode
{
    public override double Eval(in EvalContext ctx)
    {
        var a = left.Eval(ctx);
        if (a == 1)
        {
            return 1;
        }

        var b = right.Eval(ctx);
        if (b == 1)
        {
            return 1;
        }

        return double.IsNaN(a) || double.IsNaN(b) ? double.NaN : 0;
    }
}

/// <summary>Not unknown is unknown: <c>not (co2 &gt; 1000)</c> does not fire on a NaN reading.</summary>
internal sealed class NotNode(EvalNode operand) : EvalNode
{
    public override double Eval(in EvalContext ctx)
    {
        var a = operand.Eval(ctx);
        return double.IsNaN(a) ? double.NaN : 1 - a;
    }
}

/// <summary>A boolean equality (<c>door_open == true</c>, or two conditions).</summary>
internal sealed class BoolEqualsNode(EvalNode left, EvalNode right, bool negate) : EvalNode
{
    public override double Eval(in EvalContext ctx)
    {
        var a = left.Eval(ctx);
        var b = right.Eval(ctx);
        if (double.IsNaN(a) || double.IsNaN(b))
        {
            return double.NaN;
        }

        return (a == b) != negate ? 1 : 0;
    }
}
