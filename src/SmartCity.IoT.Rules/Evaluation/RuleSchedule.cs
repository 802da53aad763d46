namespace SmartCity.IoT.Rules.Evaluation;

/// <summary>
/// When a rule applies (<c>during:</c>) or does not (<c>outside:</c>): the occupied hours of the device's place or a
/// cron window. Outside it the rule's conditions are not evaluated: its thresholds count as not holding and its clear
/// as holding, so a pending alert goes back to inactive and a firing one resolves (after <c>keep_firing_for</c>).
/// </summary>
internal abstract class RuleSchedule(bool outside)
{
    /// <summary>True for <c>outside:</c> (the rule applies when the window is not in force).</summary>
    public bool Outside { get; } = outside;

    /// <summary>Text as written, for messages.</summary>
    public abstract string Text { get; }

    /// <summary>Whether the rule applies at <paramref name="nowNs"/>: 1, 0, or NaN when unknown (a place without hours).</summary>
    public double Applies(PlaceBinding? place, long nowNs)
    {
        var inWindow = InWindow(place, nowNs);
        return double.IsNaN(inWindow) ? double.NaN : (inWindow == 1) != Outside ? 1 : 0;
    }

    /// <summary>1 when <paramref name="nowNs"/> is in the window, 0 when not, NaN when unknown. Allocates nothing.</summary>
    protected abstract double InWindow(PlaceBinding? place, long nowNs);
}

/// <summary><c>during: occupied</c>: the occupied hours of the device's place (or of the place an aggregate is over).</summary>
internal sealed class OccupiedSchedule(bool outside) : RuleSchedule(outside)
{
    public override string Text => "occupied";

    protected override double InWindow(PlaceBinding? place, long nowNs) => place?.Occupied(nowNs) ?? double.NaN;
}
