using SmartCity.IoT.Core.Places;

namespace SmartCity.IoT.Rules.Compilation;

/// <summary>
/// How a rule with <c>over:</c> aggregates: which place of a matched device it counts the device in (the nearest one of
/// <see cref="Kinds"/> among the device's place and its ancestors), when a member is left out as stale, and the
/// aggregate terms its expressions use, each over one of <see cref="Fields"/>.
/// </summary>
internal sealed class PlaceAggregateSpec
{
    /// <summary>As written: <c>zone</c>, <c>floor</c>, <c>building</c>, <c>site</c>, <c>room</c>, <c>place</c> or a Brick class name.</summary>
    public required string Over { get; init; }

    /// <summary>Brick kinds that count as <see cref="Over"/>; empty for <c>place</c> (the device's own place).</summary>
    public required string[] Kinds { get; init; }

    public required long StaleAfterNs { get; init; }

    /// <summary>The distinct field ids the terms aggregate.</summary>
    public required int[] Fields { get; init; }

    /// <summary>Each term: the index of its field in <see cref="Fields"/> and its function; term i is value slot i.</summary>
    public required (int Field, AggregateFunction Function)[] Terms { get; init; }

    /// <summary>The place a device placed in <paramref name="place"/> is a member of, or null.</summary>
    public Place? PlaceFor(Place? place)
    {
        if (Kinds.Length == 0)
        {
            return place;
        }

        for (var p = place; p is not null; p = p.Parent)
        {
            if (Array.IndexOf(Kinds, p.Kind) >= 0)
            {
                return p;
            }
        }

        return null;
    }

    /// <summary>
    /// The Brick kinds an <c>over:</c> value stands for: a level (<c>zone</c>, <c>floor</c>, <c>building</c>, <c>site</c>:
    /// every kind of that level in <see cref="PlaceKinds"/>, so <c>zone</c> takes in rooms, offices, restrooms and HVAC
    /// zones) or one kind.
    /// </summary>
    public static string[] KindsOf(string over) => over switch
    {
        "place" => [],
        "site" => OfLevel(PlaceLevel.Site),
        "building" => OfLevel(PlaceLevel.Building),
        "floor" => OfLevel(PlaceLevel.Floor),
        "zone" => OfLevel(PlaceLevel.Zone),
        _ => [over],
    };

    private static string[] OfLevel(PlaceLevel level) =>
        PlaceKinds.Names.Where(k => PlaceKinds.TryGetLevel(k, out var l) && l == level).ToArray();
}
