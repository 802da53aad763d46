using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Core.Places;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Loading;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

/// <summary>Rules over places allocate nothing per reading or tick in steady state (the benchmark measures their cost).</summary>
public sealed class PlaceAllocationTests
{
    [Fact]
    public void Aggregates_attributes_and_schedules_allocate_nothing_in_steady_state()
    {
        var vocabulary = TestVocabulary.Create();
        var rules = RuleLoader.LoadText("""
            rules:
              - name: zone_co2
                over: zone
                stale_after: 1m
                expr: avg(co2) > 1000 or max(co2) > 5000 or min(temperature) < 5
                clear: avg(co2) < 900
              - name: floor_people
                over: floor
                expr: sum(people_count) > place.capacity and count(people_count) > 1
              - name: floor_hot_always
                over: floor
                expr: max(temperature) > 0
              - name: capacity
                expr: people_count > place.capacity
              - name: hot_in_hours
                during: occupied
                expr: temperature > place.max_temperature
              - name: office_hours
                during: "* 8-17 * * MON-FRI"
                time_zone: Europe/Paris
                expr: co2 > 0
            """, "alloc.yaml", vocabulary);
        var hours = new PlaceHours(TimeZoneInfo.FindSystemTimeZoneById("Asia/Hong_Kong"), [.. Enumerable.Range(0, 7).Select(_ => new[] { (new TimeOnly(0, 0), new TimeOnly(23, 59)) })]);
        var places = new List<Place> { new("b", "B", "Building", occupied: hours) };
        var parents = new Dictionary<string, string>();
        for (var f = 0; f < 4; f++)
        {
            places.Add(new Place($"f{f}", $"Floor {f}", "Floor", new Dictionary<string, double> { ["capacity"] = 500 }));
            parents[$"f{f}"] = "b";
            for (var z = 0; z < 10; z++)
            {
                places.Add(new Place($"f{f}z{z}", $"Zone {f}.{z}", "HVAC_Zone", new Dictionary<string, double> { ["max_temperature"] = 30 }));
                parents[$"f{f}z{z}"] = $"f{f}";
            }
        }

        BuildingModel? model = null;
        model = new BuildingModel(places, p => parents.GetValueOrDefault(p.Id), d => model!.Find($"f{d.DeviceId[^1] % 4}z{d.DeviceId[^2] % 10}"));
        var run = new SteadyStateEngine(rules, vocabulary);
        run.Engine.ApplyModel(model);
        var ids = run.FieldIds("co2", "temperature", "people_count");
        Action<Reading, int, int> fill = (reading, d, r) =>
        {
            reading.Set(ids[0], 400 + ((d * 37 + r) % 500)); // extremes move between members
            reading.Set(ids[1], 10 + ((d + r) % 15));
            reading.Set(ids[2], d % 3);
        };

        // Warm-up: devices bound and placed; floor_hot_always fires for each of the 4 floors and office_hours for each
        // device (09:00 in Paris, a Monday); firing alerts that stay firing must not allocate either.
        run.Run(100, fill);
        var alerts = run.Publisher.Alerts.Count;
        Assert.Equal(4 + run.Devices.Length, alerts);
        Assert.Equal(0, run.AllocatedBy(50, fill));
        Assert.Equal(alerts, run.Publisher.Alerts.Count);
    }
}
