using SmartCity.IoT.Core.Places;

namespace SmartCity.IoT.Rules.Evaluation;

/// <summary>
/// What rules read of one place of the building model: its numeric attributes (own or inherited) by
/// <see cref="PlaceAttributeIds"/> number, and its occupied hours with the last answer cached, so neither costs a lookup
/// per reading. One per place, shared by every device placed there; rebuilt when the model or the rules change.
/// </summary>
internal sealed class PlaceBinding
{
    private readonly PlaceHours? _hours;
    private long _occupiedSecond = long.MinValue;
    private double _occupied;

    public PlaceBinding(Place place)
    {
        Place = place;
        var names = PlaceAttributeIds.Names;
        Numbers = new double[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            Numbers[i] = place.TryGetNumber(names[i], out var v) ? v : double.NaN;
        }

        _hours = place.Occupied;
    }

    public Place Place { get; }

    /// <summary>Attribute values by <see cref="PlaceAttributeIds"/> number; NaN when neither the place nor an ancestor has it.</summary>
    public double[] Numbers { get; }

    /// <summary>1 when the place is in its occupied hours at <paramref name="nowNs"/>, 0 when not, NaN when it has no hours.</summary>
    public double Occupied(long nowNs)
    {
        if (_hours is null)
        {
            return double.NaN;
        }

        // Hours are given to the minute; asking once per second keeps the time-zone conversion off most readings.
        var second = nowNs / 1_000_000_000;
        if (second != _occupiedSecond)
        {
            _occupied = _hours.Contains(nowNs) ? 1 : 0;
            _occupiedSecond = second;
        }

        return _occupied;
    }

    public double Number(int id) => (uint)id < (uint)Numbers.Length ? Numbers[id] : double.NaN;
}
