using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Places;
using SmartCity.IoT.Rules.Engine;

namespace SmartCity.IoT.Gateway.Status.Buildings;

/// <summary>
/// What each place of the building model holds, rolled up from its devices and its children's: device and silent counts,
/// firing alerts and the worst of them, and the average of the latest values of a few fields. One pass over the registry
/// and one over the active alerts, arrays indexed by <see cref="Place.Index"/>: a floor view of 1,000 zones does not scan
/// the devices once per zone.
/// </summary>
internal sealed class PlaceRollup
{
    private readonly int[] _devices;
    private readonly int[] _silent;
    private readonly int[] _alerts;
    private readonly sbyte[] _worst;
    private readonly double[] _sums;
    private readonly int[] _counts;
    private readonly List<DeviceState>?[] _here;
    private readonly Dictionary<int, int> _fieldSlot;

    private PlaceRollup(BuildingModel model, IReadOnlyList<int> fields)
    {
        Model = model;
        var n = model.Places.Count;
        _devices = new int[n];
        _silent = new int[n];
        _alerts = new int[n];
        _worst = new sbyte[n];
        Array.Fill(_worst, (sbyte)-1);
        _sums = new double[n * fields.Count];
        _counts = new int[n * fields.Count];
        _here = new List<DeviceState>?[n];
        _fieldSlot = fields.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
    }

    public BuildingModel Model { get; }

    /// <summary>Devices the model does not place.</summary>
    public List<DeviceState> Unplaced { get; } = [];

    /// <param name="placeOf">Where a device is (cached per device by the caller).</param>
    /// <param name="alerts">The rule engine's active alerts; only firing ones count.</param>
    /// <param name="fields">Vocabulary ids to average.</param>
    /// <param name="silentBeforeNs">Devices last seen before this (Unix ns) are silent: counted, but their old values are not averaged.</param>
    public static PlaceRollup Build(BuildingModel model, Func<DeviceState, Place?> placeOf, IReadOnlyList<DeviceState> devices, IReadOnlyList<ActiveAlertInfo> alerts,
        IReadOnlyList<int> fields, long silentBeforeNs)
    {
        var r = new PlaceRollup(model, fields);
        var firing = new Dictionary<(string, string), (AlertSeverity Worst, int Count)>();
        foreach (var a in alerts)
        {
            if (a.State != RulePhase.Firing)
            {
                continue;
            }

            var key = (a.ProfileId, a.DeviceId);
            firing[key] = firing.TryGetValue(key, out var w) ? (w.Worst > a.Severity ? w.Worst : a.Severity, w.Count + 1) : (a.Severity, 1);
        }

        var width = fields.Count;
        foreach (var d in devices)
        {
            if (placeOf(d) is not { } place)
            {
                r.Unplaced.Add(d);
                continue;
            }

            (r._here[place.Index] ??= []).Add(d);
            var silent = !d.Online || d.LastSeenUnixNs < silentBeforeNs;
            var hasAlert = firing.TryGetValue((d.Profile.Id, d.DeviceId), out var alert);
            for (var p = place; p is not null; p = p.Parent)
            {
                var i = p.Index;
                r._devices[i]++;
                if (silent)
                {
                    r._silent[i]++;
                }

                if (hasAlert)
                {
                    r._alerts[i] += alert.Count;
                    r._worst[i] = Math.Max(r._worst[i], (sbyte)alert.Worst);
                }

                if (silent)
                {
                    continue;
                }

                for (var f = 0; f < width; f++)
                {
                    var v = d.Latest[fields[f]];
                    if (!double.IsNaN(v))
                    {
                        r._sums[i * width + f] += v;
                        r._counts[i * width + f]++;
                    }
                }
            }
        }

        return r;
    }

    /// <summary>Devices in the place and below.</summary>
    public int DeviceCount(Place place) => _devices[place.Index];

    public int SilentCount(Place place) => _silent[place.Index];

    /// <summary>Firing alerts of the devices in the place and below.</summary>
    public int AlertCount(Place place) => _alerts[place.Index];

    /// <summary>The most severe alert firing in the place or below, or null.</summary>
    public AlertSeverity? Worst(Place place) => _worst[place.Index] < 0 ? null : (AlertSeverity)_worst[place.Index];

    /// <summary>The average of the latest values of <paramref name="fieldId"/> over the reporting devices in the place and below, and how many there are.</summary>
    public (double Average, int Count) Average(Place place, int fieldId)
    {
        if (!_fieldSlot.TryGetValue(fieldId, out var f))
        {
            throw new ArgumentException($"field {fieldId} was not rolled up", nameof(fieldId));
        }

        var i = place.Index * _fieldSlot.Count + f;
        return _counts[i] == 0 ? (double.NaN, 0) : (_sums[i] / _counts[i], _counts[i]);
    }

    /// <summary>Devices placed exactly here (not in a child place).</summary>
    public IReadOnlyList<DeviceState> DevicesHere(Place place) => _here[place.Index] ?? (IReadOnlyList<DeviceState>)[];

    /// <summary>Devices in the place and below.</summary>
    public List<DeviceState> DevicesWithin(Place place)
    {
        var all = new List<DeviceState>(DeviceCount(place));
        Collect(place, all);
        return all;
    }

    private void Collect(Place place, List<DeviceState> into)
    {
        into.AddRange(DevicesHere(place));
        foreach (var child in place.Children)
        {
            Collect(child, into);
        }
    }
}
