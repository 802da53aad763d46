namespace SmartCity.IoT.Core.Pipeline;

/// <summary>
/// How a source spells topics and subscription filters: MQTT's <c>a/b/c</c> with <c>+</c> and <c>#</c>, or a message
/// stream's subject <c>a.b.c</c> with <c>*</c> and <c>&gt;</c> (NATS). Profiles' topic templates serve both.
/// </summary>
public sealed class TopicSyntax
{
    public static readonly TopicSyntax Mqtt = new("mqtt", '/', "+", "#");

    public static readonly TopicSyntax Subject = new("subject", '.', "*", ">");

    private TopicSyntax(string name, char separator, string singleLevelWildcard, string multiLevelWildcard)
    {
        Name = name;
        Separator = separator;
        SingleLevelWildcard = singleLevelWildcard;
        MultiLevelWildcard = multiLevelWildcard;
    }

    public string Name { get; }

    public char Separator { get; }

    public string SingleLevelWildcard { get; }

    public string MultiLevelWildcard { get; }

    public override string ToString() => Name;
}
