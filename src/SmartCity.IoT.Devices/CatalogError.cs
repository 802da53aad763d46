namespace SmartCity.IoT.Devices;

/// <summary>One problem in a profile or the vocabulary, printed like a compiler error so editors and CI can jump to it.</summary>
public sealed record CatalogError(string File, int Line, int Column, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: error: {Message}";
}
