using SmartCity.IoT.Rules.Evaluation;

namespace SmartCity.IoT.Rules.Loading;

/// <summary>A rule's place keys as read: <c>over</c>, <c>stale_after</c>, <c>during</c>/<c>outside</c>, <c>time_zone</c>.</summary>
internal sealed record PlaceKeys(string? Over, string[] Kinds, TimeSpan StaleAfter, RuleSchedule? Schedule, string? ScheduleText, string? TimeZone)
{
    /// <summary>How long a member of an aggregate may be silent (for the field) before it is left out, by default.</summary>
    public static readonly TimeSpan DefaultStaleAfter = TimeSpan.FromMinutes(15);

    public static readonly PlaceKeys None = new(null, [], TimeSpan.Zero, null, null, null);
}
