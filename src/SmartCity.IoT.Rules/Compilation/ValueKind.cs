namespace SmartCity.IoT.Rules.Compilation;

internal enum ValueKind
{
    Number,
    Condition,
    Enum,
    String,
    Tag,
    Duration,
}
