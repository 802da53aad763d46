namespace SmartCity.IoT.Rules.Evaluation;

/// <summary>
/// A dense number for each place attribute name rules use (<c>capacity</c>, <c>max_temperature</c>), so a compiled
/// <c>place.capacity</c> reads an array slot instead of looking a name up per reading. Process-wide: names only ever
/// get added, and rule sets loaded at different times agree on the numbers.
/// </summary>
internal static class PlaceAttributeIds
{
    private static readonly Dictionary<string, int> Ids = new(StringComparer.Ordinal);
    private static string[] _names = [];

    public static int Count
    {
        get
        {
            lock (Ids)
            {
                return Ids.Count;
            }
        }
    }

    public static int Of(string name)
    {
        lock (Ids)
        {
            if (!Ids.TryGetValue(name, out var id))
            {
                id = Ids.Count;
                Ids.Add(name, id);
                _names = [.. _names, name];
            }

            return id;
        }
    }

    /// <summary>Every name, by id.</summary>
    public static string[] Names
    {
        get
        {
            lock (Ids)
            {
                return _names;
            }
        }
    }
}
