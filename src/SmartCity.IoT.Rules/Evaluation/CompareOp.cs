namespace SmartCity.IoT.Rules.Evaluation;

internal enum CompareOp
{
    Greater,
    GreaterEqual,
    Less,
    LessEqual,
    Equal,
    NotEqual,
}
