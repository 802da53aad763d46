namespace SmartCity.IoT.Gateway.Status.Buildings;

/// <summary>Orders place names as people do: floor 2 before floor 10.</summary>
internal sealed class PlaceNameComparer : IComparer<string>
{
    public static readonly PlaceNameComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (long.TryParse(x, out var a) && long.TryParse(y, out var b))
        {
            return a.CompareTo(b);
        }

        return string.Compare(x, y, StringComparison.OrdinalIgnoreCase) is var c and not 0 ? c : string.CompareOrdinal(x, y);
    }
}
