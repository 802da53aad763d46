using Microsoft.Extensions.Time.Testing;
using SmartCity.IoT.Devices.Simulation;

namespace SmartCity.IoT.Devices.Tests;

public sealed class SimulatorTests
{
    private static readonly DateTimeOffset Start = new(2025, 11, 23, 1, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> ProfileIds()
    {
        var data = new TheoryData<string>();
        foreach (var p in CatalogFixture.Catalog.Profiles.Where(DeviceSimulator.CanSimulate))
        {
            data.Add(p.Id);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ProfileIds))]
    public void Every_simulated_payload_decodes_without_error(string profileId)
    {
        var catalog = CatalogFixture.Catalog;
        var time = new FakeTimeProvider(Start);
        var simulator = new DeviceSimulator(catalog, new SimulatorOptions { DevicePattern = profileId, DevicesPerProfile = 3, AnomalyRate = 0.3, Seed = 7 }, time);
        var readings = catalog.CreateReadingSet();
        for (var i = 0; i < 300; i++)
        {
            var message = simulator.Next();
            var result = catalog.Decode(message.Topic, message.Payload, readings, time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000);
            Assert.True(result.IsSuccess && result.RejectedFields == 0, $"{message.Topic} {System.Text.Encoding.UTF8.GetString(message.Payload)} -> {result}");
            Assert.Equal(profileId, readings.First.Profile!.Id);
            Assert.True(result.Readings > 0);
            time.Advance(TimeSpan.FromMinutes(7));
        }
    }

    [Fact]
    public void Devices_get_realistic_tags_and_round_robin()
    {
        var catalog = CatalogFixture.Catalog;
        var simulator = new DeviceSimulator(catalog, new SimulatorOptions { DevicePattern = "harbourtech/ies-300", DevicesPerProfile = 4 }, new FakeTimeProvider(Start));
        var topics = Enumerable.Range(0, 8).Select(_ => simulator.Next().Topic).ToList();
        Assert.Equal(topics.Take(4), topics.Skip(4));
        Assert.Equal(4, topics.Distinct().Count());
        Assert.Contains("buildings/hq/floors/1/env/ies-300-0001/telemetry", topics);
        Assert.Contains("buildings/annex/floors/1/env/ies-300-0002/telemetry", topics);
        Assert.Contains("buildings/hq/floors/2/env/ies-300-0003/telemetry", topics);
    }

    [Fact]
    public void Same_seed_gives_the_same_messages()
    {
        var catalog = CatalogFixture.Catalog;
        var a = new DeviceSimulator(catalog, new SimulatorOptions { Seed = 3 }, new FakeTimeProvider(Start));
        var b = new DeviceSimulator(catalog, new SimulatorOptions { Seed = 3 }, new FakeTimeProvider(Start));
        for (var i = 0; i < 50; i++)
        {
            var (x, y) = (a.Next(), b.Next());
            Assert.Equal(x.Topic, y.Topic);
            Assert.Equal(x.Payload, y.Payload);
        }
    }

    [Fact]
    public void Anomalies_trip_the_usual_thresholds_and_normal_values_do_not()
    {
        var catalog = CatalogFixture.Catalog;
        var co2 = catalog.Vocabulary.TryGet("co2", out var f) ? f.Id : -1;
        var reading = catalog.CreateReading();

        double MaxCo2(double anomalyRate)
        {
            var time = new FakeTimeProvider(Start);
            var sim = new DeviceSimulator(catalog, new SimulatorOptions { DevicePattern = "harbourtech/ies-300", DevicesPerProfile = 2, AnomalyRate = anomalyRate, Seed = 11 }, time);
            var max = 0.0;
            for (var i = 0; i < 400; i++)
            {
                var m = sim.Next();
                Assert.True(catalog.Decode(m.Topic, m.Payload, reading, 0).IsSuccess);
                if (reading.TryGet(co2, out var v))
                {
                    max = Math.Max(max, v);
                }

                time.Advance(TimeSpan.FromMinutes(5));
            }

            return max;
        }

        Assert.True(MaxCo2(0) < 1000, "normal co2 stays under 1000 ppm");
        Assert.True(MaxCo2(1) > 1000, "anomalies push co2 over 1000 ppm");
    }

    [Fact]
    public void Bay_faults_appear_only_as_anomalies()
    {
        var catalog = CatalogFixture.Catalog;
        var bay = catalog.Vocabulary.TryGet("bay_state", out var f) ? f : throw new InvalidOperationException();
        var fault = bay.EnumValues.ToList().IndexOf("fault");
        var reading = catalog.CreateReading();
        int Faults(double rate)
        {
            var sim = new DeviceSimulator(catalog, new SimulatorOptions { DevicePattern = "parkbot/*", AnomalyRate = rate, Seed = 5 }, new FakeTimeProvider(Start));
            var count = 0;
            for (var i = 0; i < 200; i++)
            {
                var m = sim.Next();
                Assert.True(catalog.Decode(m.Topic, m.Payload, reading, 0).IsSuccess);
                count += reading.TryGet(bay.Id, out var v) && (int)v == fault ? 1 : 0;
            }

            return count;
        }

        Assert.Equal(0, Faults(0));
        Assert.True(Faults(1) > 20);
    }

    [Fact]
    public void Anomalies_are_episodes_of_one_field_lasting_minutes_apart_for_about_the_rate_of_the_time()
    {
        var catalog = CatalogFixture.Catalog;
        var time = new FakeTimeProvider(Start);
        var sim = new DeviceSimulator(catalog, new SimulatorOptions { DevicePattern = "harbourtech/ies-300", DevicesPerProfile = 3, AnomalyRate = 0.1, Seed = 9 }, time);
        var step = TimeSpan.FromSeconds(10);
        var inEpisode = 0;
        var samples = 0;
        var open = new Dictionary<object, (DateTimeOffset At, DateTimeOffset End, int Field)>();
        var durations = new List<TimeSpan>();
        var lastEnd = new Dictionary<object, DateTimeOffset>();
        var gaps = new List<TimeSpan>();
        for (var i = 0; i < 60 * 360; i++)
        {
            for (var m = 0; m < sim.MessagesPerRound; m++)
            {
                sim.Next();
            }

            foreach (var device in sim.Devices)
            {
                samples++;
                var active = device.EpisodeField >= 0;
                inEpisode += active ? 1 : 0;
                if (open.TryGetValue(device, out var episode) && (!active || episode.End != device.EpisodeEnd))
                {
                    durations.Add(episode.End - episode.At);
                    lastEnd[device] = episode.End;
                    open.Remove(device);
                }
                else if (active && open.ContainsKey(device))
                {
                    Assert.Equal(episode.Field, device.EpisodeField); // one field for the whole episode
                }

                if (active && !open.ContainsKey(device))
                {
                    if (lastEnd.TryGetValue(device, out var end))
                    {
                        gaps.Add(time.GetUtcNow() - end);
                    }

                    open[device] = (time.GetUtcNow(), device.EpisodeEnd, device.EpisodeField);
                }
            }

            time.Advance(step);
        }

        var share = (double)inEpisode / samples;
        Assert.InRange(share, 0.07, 0.13);
        Assert.True(durations.Count > 50, $"{durations.Count} episodes");
        Assert.All(durations, d => Assert.InRange(d, TimeSpan.FromMinutes(2) - step, TimeSpan.FromMinutes(8) + step));

        // A quiet spell after each episode, longer than a rule's 15-minute average needs to clear.
        Assert.True(gaps.Count > 40, $"{gaps.Count} gaps");
        Assert.All(gaps, g => Assert.True(g >= TimeSpan.FromMinutes(20), $"next episode {g} after the last"));
    }

    [Fact]
    public void Normal_values_stay_in_the_typical_band_of_the_vocabulary()
    {
        // A value pushed out of its band (by a clamp, a unit or a rounding) would keep an alert firing after its
        // episode: the demo would show an alert on what the simulator calls normal.
        var catalog = CatalogFixture.Catalog;
        var time = new FakeTimeProvider(Start);
        var simulator = new DeviceSimulator(catalog, new SimulatorOptions { DevicesPerProfile = 1, AnomalyRate = 0, Seed = 5 }, time);
        var readings = catalog.CreateReadingSet();
        var outside = new SortedSet<string>(StringComparer.Ordinal);
        var seen = 0;
        for (var round = 0; round < 48; round++)
        {
            for (var m = 0; m < simulator.MessagesPerRound; m++)
            {
                var message = simulator.Next();
                Assert.True(catalog.Decode(message.Topic, message.Payload, readings, time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000).IsSuccess, message.Topic);
                for (var r = 0; r < readings.Count; r++)
                {
                    var reading = readings[r];
                    foreach (var id in reading.FieldIds)
                    {
                        var field = catalog.Vocabulary[id];
                        if (field.IsCounter || field.Type is Core.Model.FieldType.Boolean or Core.Model.FieldType.Enum
                            || !catalog.VocabularyEntries.TryGetValue(field.Name, out var entry))
                        {
                            continue;
                        }

                        var mapping = reading.Profile!.Decoding.Fields.First(f => f.FieldId == id);
                        var (lo, hi) = (Math.Max(entry.Typical.Min, mapping.Min), Math.Min(entry.Typical.Max, mapping.Max));
                        var slack = Math.Max((hi - lo) * 0.1, field.Type == Core.Model.FieldType.Integer ? 1 : Math.Pow(10, -Math.Max(mapping.Decimals, 0)));
                        reading.TryGet(id, out var value);
                        seen++;
                        if (value < lo - slack || value > hi + slack)
                        {
                            outside.Add($"{reading.Profile.Id} {field.Name} = {value} (typical {entry.Typical.Min}..{entry.Typical.Max})");
                        }
                    }
                }
            }

            time.Advance(TimeSpan.FromMinutes(30));
        }

        Assert.True(seen > 1000, $"{seen} values");
        Assert.True(outside.Count == 0, "outside the typical band: " + string.Join("; ", outside));
    }

    [Fact]
    public void Options_are_validated()
    {
        var catalog = CatalogFixture.Catalog;
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeviceSimulator(catalog, new SimulatorOptions { AnomalyRate = 1.5 }, TimeProvider.System));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeviceSimulator(catalog, new SimulatorOptions { DevicesPerProfile = 0 }, TimeProvider.System));
        var e = Assert.Throws<ArgumentException>(() => new DeviceSimulator(catalog, new SimulatorOptions { DevicePattern = "nobody/*" }, TimeProvider.System));
        Assert.Contains("harbourtech/ies-300", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Availability_messages_decode_as_online_and_offline()
    {
        var catalog = CatalogFixture.Catalog;
        var sim = new DeviceSimulator(catalog, new SimulatorOptions { DevicePattern = "aqara/*,tasmota/*,shelly/*" }, new FakeTimeProvider(Start));
        var reading = catalog.CreateReading();
        foreach (var device in sim.Devices)
        {
            foreach (var online in new[] { true, false })
            {
                var m = sim.Availability(device, online)!.Value;
                var r = catalog.Decode(m.Topic, m.Payload, reading, 0);
                Assert.True(r.IsSuccess && r.IsAvailability, r.ToString());
                Assert.Equal(online, r.Online);
            }
        }
    }
}
