using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Tests.Devices;

public sealed class DeviceRegistryTests
{
    [Fact]
    public void Thousands_of_devices_keep_one_index_each_per_profile_and_id()
    {
        // The pipeline's lookup table grows and rehashes many times here; the same id under two profiles is two devices.
        var a = new DeviceProfile("acme/a", "Acme", "A", "environment");
        var b = new DeviceProfile("acme/b", "Acme", "B", "environment");
        var registry = new DeviceRegistry(2);
        var reading = new Reading(2);
        var first = new Dictionary<(string, string), int>();
        for (var pass = 0; pass < 2; pass++)
        {
            for (var i = 0; i < 3_000; i++)
            {
                foreach (var profile in new[] { a, b })
                {
                    var id = $"dev-{i}";
                    reading.Reset();
                    reading.Profile = profile;
                    reading.DeviceId = $"x/{id}/y".AsMemory(2, id.Length); // a slice, as topics give
                    reading.Set(0, i);
                    var state = registry.Observe(reading);
                    Assert.Equal((profile, id, state.Index), (state.Profile, state.DeviceId, reading.DeviceIndex));
                    if (pass == 0)
                    {
                        first.Add((profile.Id, id), state.Index);
                    }
                    else
                    {
                        Assert.Equal(first[(profile.Id, id)], state.Index);
                    }
                }
            }
        }

        Assert.Equal(6_000, registry.Count);
        Assert.Equal(6_000, first.Values.Distinct().Count());
        Assert.True(registry.TryFind(b, "dev-2999", out var found));
        Assert.Equal((first[("acme/b", "dev-2999")], 2L, 2999.0), (found.Index, found.Messages, found.Latest[0]));
        Assert.False(registry.TryFind(a, "dev-3000", out _));
    }
}
