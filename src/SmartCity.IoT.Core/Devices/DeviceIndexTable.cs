using System.Runtime.CompilerServices;

namespace SmartCity.IoT.Core.Devices;

/// <summary>
/// (profile, device id) → registry index for the pipeline thread's lookups, with everything a lookup reads in flat
/// arrays: an open-addressing table of indexes, and per device its hash, profile and id characters (all devices' ids
/// back to back in one array). A <c>Dictionary&lt;string, int&gt;</c> compares the id with its key string, a separate
/// object per device: with 10,000 devices that is a cache miss on every message, where these arrays stay in cache.
/// Single writer and reader (the pipeline thread); not thread-safe.
/// </summary>
internal sealed class DeviceIndexTable
{
    private int[] _slots = new int[256]; // registry index + 1; 0 = empty
    private int[] _hashes = new int[64];
    private DeviceProfile[] _profiles = new DeviceProfile[64];
    private int[] _idStart = new int[64];
    private int[] _idLength = new int[64];
    private char[] _ids = new char[1024];
    private int _idsUsed;
    private int _count;

    public bool TryGet(DeviceProfile profile, ReadOnlySpan<char> deviceId, out int index)
    {
        var hash = Hash(profile, deviceId);
        var mask = _slots.Length - 1;
        for (var i = hash & mask; ; i = (i + 1) & mask)
        {
            var entry = _slots[i] - 1;
            if (entry < 0)
            {
                index = -1;
                return false;
            }

            if (_hashes[entry] == hash && ReferenceEquals(_profiles[entry], profile) && _ids.AsSpan(_idStart[entry], _idLength[entry]).SequenceEqual(deviceId))
            {
                index = entry;
                return true;
            }
        }
    }

    /// <summary>Adds a device the table does not hold yet; <paramref name="index"/> must be the next registry index.</summary>
    public void Add(DeviceProfile profile, ReadOnlySpan<char> deviceId, int index)
    {
        if (index != _count)
        {
            throw new InvalidOperationException($"Device index {index} added out of order (expected {_count}).");
        }

        if (index == _hashes.Length)
        {
            var size = _hashes.Length * 2;
            Array.Resize(ref _hashes, size);
            Array.Resize(ref _profiles, size);
            Array.Resize(ref _idStart, size);
            Array.Resize(ref _idLength, size);
        }

        if (_idsUsed + deviceId.Length > _ids.Length)
        {
            Array.Resize(ref _ids, Math.Max(_idsUsed + deviceId.Length, _ids.Length * 2));
        }

        var hash = Hash(profile, deviceId);
        _hashes[index] = hash;
        _profiles[index] = profile;
        _idStart[index] = _idsUsed;
        _idLength[index] = deviceId.Length;
        deviceId.CopyTo(_ids.AsSpan(_idsUsed));
        _idsUsed += deviceId.Length;
        _count++;
        if (_count * 2 > _slots.Length)
        {
            Rehash(_slots.Length * 2);
        }
        else
        {
            Insert(_slots, hash, index);
        }
    }

    private void Rehash(int size)
    {
        var slots = new int[size];
        for (var i = 0; i < _count; i++)
        {
            Insert(slots, _hashes[i], i);
        }

        _slots = slots;
    }

    private static void Insert(int[] slots, int hash, int index)
    {
        var mask = slots.Length - 1;
        var i = hash & mask;
        while (slots[i] != 0)
        {
            i = (i + 1) & mask;
        }

        slots[i] = index + 1;
    }

    private static int Hash(DeviceProfile profile, ReadOnlySpan<char> deviceId) =>
        (string.GetHashCode(deviceId) * 31) ^ RuntimeHelpers.GetHashCode(profile);
}
