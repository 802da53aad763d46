namespace SmartCity.IoT.Rules.Evaluation;

internal sealed class ConstantNode(double value) : EvalNode
{
    public double Value { get; } = value;

    public override double Eval(in EvalContext ctx) => Value;
}

/// <summary>The device's latest value of a numeric (or enum index) field.</summary>
internal sealed class FieldNode(int fieldId) : EvalNode
{
    public int FieldId { get; } = fieldId;

    public override double Eval(in EvalContext ctx) => ctx.Latest[FieldId];
}

/// <summary>A boolean field used as a condition: non-zero is true.</summary>
internal sealed class BoolFieldNode(int fieldId) : EvalNode
{
    public override double Eval(in EvalContext ctx)
    {
        var v = ctx.Latest[fieldId];
        return double.IsFinite(v) ? (v != 0 ? 1 : 0) : double.NaN;
    }
}

internal sealed class NegateNode(EvalNode operand) : EvalNode
{
    public override double Eval(in EvalContext ctx) => -operand.Eval(ctx);
}

internal sealed class AbsNode(EvalNode operand) : EvalNode
{
    public override double Eval(in EvalContext ctx) => Math.Abs(operand.Eval(ctx));
}

internal sealed class AddNode(EvalNode left, EvalNode right) : EvalNode
{
    public override double Eval(in EvalContext ctx) => left.Eval(ctx) + right.Eval(ctx);
}

internal sealed class SubtractNode(EvalNode left, EvalNode right) : EvalNode
{
    public override double Eval(in EvalContext ctx) => left.Eval(ctx) - right.Eval(ctx);
}

internal sealed class MultiplyNode(EvalNode left, EvalNode right) : EvalNode
{
    public override double Eval(in EvalContext ctx) => left.Eval(ctx) * right.Eval(ctx);
}

/// <summary>Division by zero gives an infinity or NaN, which makes any comparison on it unknown.</summary>
internal sealed class DivideNode(EvalNode left, EvalNode right) : EvalNode
{
    public override double Eval(in EvalContext ctx) => left.Eval(ctx) / right.Eval(ctx);
}

internal sealed class ModuloNode(EvalNode left, EvalNode right) : EvalNode
{
    public override double Eval(in EvalContext ctx) => left.Eval(ctx) % right.Eval(ctx);
}
