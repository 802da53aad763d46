using System.Runtime.CompilerServices;

namespace SmartCity.IoT.Rules.Engine;

/// <summary>
/// The engine's devices: all of them (timers, checkpoints), by identity (a device restored from a checkpoint is found
/// again when it reports), and by registry index, the route a reading takes.
/// </summary>
internal sealed class DeviceTable
{
    private readonly Dictionary<string, DeviceSlot> _byKey = new(StringComparer.Ordinal);

    // By registry device index: the slot and where its per-reading data lives (rule group block, latest values), so a
    // reading can ask for all of it before the slot object itself has arrived from memory.
    private Route[] _byIndex = new Route[256];

    /// <summary>A <see cref="List{T}"/>, so that iterating it allocates nothing (a struct enumerator).</summary>
    public List<DeviceSlot> All { get; } = [];

    /// <summary>The slot routed at registry <paramref name="index"/>, or null; asks the CPU for its per-reading data first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public DeviceSlot? Find(int index)
    {
        var routes = _byIndex;
        if ((uint)index >= (uint)routes.Length)
        {
            return null;
        }

        var route = routes[index];
        if (route.Slot is not null)
        {
            // Ask for the rule group block and the latest values now, while the slot object itself is on its way.
            route.Group!.Prefetch(route.Member);
            route.Group.PrefetchLatest(route.Latest);
        }

        return route.Slot;
    }

    public DeviceSlot? ByKey(string profileId, string deviceId) => _byKey.GetValueOrDefault(DeviceSlot.Key(profileId, deviceId));

    /// <summary>Adds a slot unless one with its identity exists (then false).</summary>
    public bool TryAdd(DeviceSlot slot)
    {
        if (!_byKey.TryAdd(DeviceSlot.Key(slot.ProfileId, slot.DeviceId), slot))
        {
            return false;
        }

        All.Add(slot);
        return true;
    }

    /// <summary>Routes registry <paramref name="index"/> to <paramref name="slot"/> as it is bound now.</summary>
    public void SetRoute(int index, DeviceSlot slot)
    {
        if (index >= _byIndex.Length)
        {
            Array.Resize(ref _byIndex, Math.Max(index + 1, _byIndex.Length * 2));
        }

        _byIndex[index] = new Route(slot);
    }

    /// <summary>Re-reads every routed slot's group and member (after a reload moved them).</summary>
    public void RefreshRoutes()
    {
        for (var i = 0; i < _byIndex.Length; i++)
        {
            if (_byIndex[i].Slot is { } bound)
            {
                _byIndex[i] = new Route(bound);
            }
        }
    }

    /// <summary>Forgets the slots <paramref name="remove"/> selects (their routes too, so a reading binds afresh); returns how many.</summary>
    public int RemoveWhere(Predicate<DeviceSlot> remove)
    {
        var removed = All.RemoveAll(slot =>
        {
            if (!remove(slot))
            {
                return false;
            }

            _byKey.Remove(DeviceSlot.Key(slot.ProfileId, slot.DeviceId));
            return true;
        });
        if (removed > 0)
        {
            for (var i = 0; i < _byIndex.Length; i++)
            {
                if (_byIndex[i].Slot is { } routed && !_byKey.ContainsKey(DeviceSlot.Key(routed.ProfileId, routed.DeviceId)))
                {
                    _byIndex[i] = default;
                }
            }
        }

        return removed;
    }

    public void Clear()
    {
        All.Clear();
        _byKey.Clear();
        Array.Clear(_byIndex);
    }

    private readonly record struct Route(DeviceSlot? Slot, RuleGroup? Group, int Member, double[] Latest)
    {
        public Route(DeviceSlot slot)
            : this(slot, slot.Group, slot.Member, slot.Latest)
        {
        }
    }
}
