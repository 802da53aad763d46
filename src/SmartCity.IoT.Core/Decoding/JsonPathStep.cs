namespace SmartCity.IoT.Core.Decoding;

/// <summary>One step of a <see cref="JsonPath"/>: a property name, an array index, or <c>*</c> (any property).</summary>
public readonly record struct JsonPathStep(string? Name, int Index)
{
    public bool IsWildcard => Name == "*";

    public bool IsIndex => Name is null;

    public override string ToString() => Name is null ? $"[{Index}]" : IsWildcard ? ".*" : "['" + Name + "']";
}
