namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// One step of a <see cref="JsonPath"/>: a property name, an array index, <c>*</c> (any property, every array element),
/// or a filter <c>[?(@.n=='co2')]</c> (the array elements it accepts).
/// </summary>
public readonly record struct JsonPathStep(string? Name, int Index, JsonFilter? Filter = null)
{
    public bool IsWildcard => Name == "*";

    public bool IsIndex => Name is null && Filter is null;

    public bool IsFilter => Filter is not null;

    public override string ToString() => Filter is not null ? "[" + Filter.Text + "]" : Name is null ? $"[{Index}]" : IsWildcard ? ".*" : "['" + Name + "']";
}
