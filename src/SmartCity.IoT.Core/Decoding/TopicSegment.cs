namespace SmartCity.IoT.Core.Decoding;

/// <summary>One level of a topic template: a literal, or a named segment (<c>{building}</c>) that becomes a tag.</summary>
public readonly record struct TopicSegment(string? Literal, string? Name)
{
    public bool IsNamed => Name is not null;

    public override string ToString() => Name is null ? Literal ?? "" : "{" + Name + "}";
}
