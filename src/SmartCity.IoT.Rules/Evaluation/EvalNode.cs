namespace SmartCity.IoT.Rules.Evaluation;

/// <summary>
/// A compiled expression node. Numbers are doubles; conditions are doubles too: 1 = true, 0 = false, NaN = unknown
/// (a missing, NaN or infinite operand). Unknown follows Kleene logic (false and unknown = false, true or unknown = true)
/// and never fires or resolves a rule.
/// </summary>
internal abstract class EvalNode
{
    public abstract double Eval(in EvalContext ctx);

    /// <summary>A comparison operand: non-finite values make the comparison unknown.</summary>
    protected static bool Known(double a, double b) => double.IsFinite(a) && double.IsFinite(b);
}
