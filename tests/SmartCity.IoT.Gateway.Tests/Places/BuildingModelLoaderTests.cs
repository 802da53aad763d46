using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Core.Places;

namespace SmartCity.IoT.Gateway.Tests.Places;

public sealed class BuildingModelLoaderTests
{
    private static List<string> Errors(string yaml)
    {
        var errors = new List<Diagnostic>();
        Assert.Null(BuildingModelLoader.TryParse(yaml, "m.yaml", errors));
        return errors.Select(e => e.ToString()).ToList();
    }

    [Fact]
    public void Nesting_and_parent_links_build_one_tree_with_attributes_and_inherited_hours()
    {
        var doc = FixedModelSource.Parse("""
            time_zone: Asia/Hong_Kong
            places:
              - id: site
                kind: Site
                occupied: { mon-fri: "08:00-18:00" }
                children:
                  - { id: hq, kind: Building, children: [ { id: hq-3, kind: Floor, tag: "3" } ] }
              - { id: meeting, name: Meeting 3A, kind: Conference_Room, parent: hq-3, capacity: 12, max_temperature: 26, use: meeting }
            """);
        var meeting = doc.Model.Find("meeting")!;
        Assert.Equal("hq-3", meeting.Parent!.Id);
        Assert.Equal(3, meeting.Depth);
        Assert.Equal(12, meeting.Numbers["capacity"]);
        Assert.Equal(26, meeting.Numbers["max_temperature"]);
        Assert.Equal("meeting", meeting.Texts["use"]);
        Assert.Equal("Meeting 3A", meeting.Name);
        // Hours come from the site; 2026-12-01 is a Tuesday: 09:00 in Hong Kong is 01:00 UTC.
        var tuesday9 = new DateTimeOffset(2026, 12, 1, 1, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000L;
        var tuesday20 = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000L;
        Assert.True(meeting.Occupied!.Contains(tuesday9));
        Assert.False(meeting.Occupied.Contains(tuesday20));
        Assert.Equal(["place=meeting", "site=site", "building=hq", "floor=3", "zone=meeting"], doc.Model.TagsOf(meeting).ToArray().Select(t => $"{t.Key}={t.Value}"));
    }

    [Fact]
    public void Hours_past_midnight_run_into_the_next_day()
    {
        var doc = FixedModelSource.Parse("""
            places:
              - { id: club, kind: Room, time_zone: Europe/London, occupied: { sat: "22:00-02:00" } }
            """);
        var hours = doc.Model.Find("club")!.Occupied!;
        Assert.Contains(hours.On(DayOfWeek.Sunday), s => s.Start == TimeOnly.MinValue && s.End == new TimeOnly(2, 0));
        var sunday1am = new DateTimeOffset(2026, 12, 6, 1, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000L;
        Assert.True(hours.Contains(sunday1am));
    }

    [Theory]
    [InlineData("places:\n  - { id: a, kind: Room }\n  - { id: a, kind: Room }\n", "m.yaml:3:11: error: duplicate place id 'a': it is already used at line 2, column 5")]
    [InlineData("places:\n  - { id: a, kind: Room, parent: hq }\n  - { id: hqq, kind: Building }\n", "m.yaml:2:34: error: unknown parent 'hq' of place 'a' (did you mean 'hqq'?)")]
    [InlineData("places:\n  - { id: a, kind: Room, parent: b }\n  - { id: b, kind: Room, parent: a }\n", "m.yaml:2:34: error: the parents of 'a' form a cycle: a -> b -> a")]
    [InlineData("places:\n  - { id: a, kind: Conference_Rom }\n", "m.yaml:2:20: error: unknown kind 'Conference_Rom' of place 'a' (did you mean 'Conference_Room'?)")]
    [InlineData("places:\n  - { id: a, kind: Room, occupied: { mon: \"08:00-18:00\" } }\n", "m.yaml:2:36: error: 'occupied' of place 'a' needs a time zone")]
    [InlineData("time_zone: Asia/HongKong\nplaces: []\n", "m.yaml:1:12: error: unknown time zone 'Asia/HongKong' (did you mean 'Asia/Hong_Kong'?)")]
    [InlineData("time_zone: UTC\nplaces:\n  - { id: a, kind: Room, occupied: { mon: \"8am-6pm\" } }\n", "m.yaml:3:43: error: '8am-6pm' is not a span of hours")]
    [InlineData("time_zone: UTC\nplaces:\n  - { id: a, kind: Room, occupied: { mondays: \"08:00-18:00\" } }\n", "m.yaml:3:38: error: 'mondays' is not a day")]
    [InlineData("places:\n  - { id: a, kind: Room, chidren: [] }\n", "m.yaml:2:26: error: unknown key 'chidren' in place 'a' (did you mean 'children'?)")]
    [InlineData("places:\n  - { id: a, kind: Room, max_temperature: 27C }\n", "m.yaml:2:43: error: 'max_temperature' of place 'a' must be a number")]
    [InlineData("places:\n  - { id: a, kind: Room }\nplacement:\n  - { match: { floor: \"3\" }, place: b }\n", "m.yaml:4:37: error: unknown place 'b' in a placement rule")]
    [InlineData("places:\n  - { id: a, kind: Room }\nplacement:\n  - { place: a }\n", "m.yaml:4:5: error: a placement rule needs 'match:'")]
    [InlineData("places:\n  - { id: a, kind: Room, devices: [x] }\n  - { id: b, kind: Room, devices: [x] }\n", "m.yaml:3:36: error: device 'x' is placed twice")]
    public void Each_mistake_is_reported_at_its_line_and_column(string yaml, string expected)
    {
        var errors = Errors(yaml);
        Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }
}
