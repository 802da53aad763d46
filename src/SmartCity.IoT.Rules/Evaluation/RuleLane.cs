namespace SmartCity.IoT.Rules.Evaluation;

/// <summary>
/// Per-device data of one rule that a reading updates (its windows and absent() clocks), for every device of one rule
/// group: kept in the members' blocks of the group's <see cref="MemberArena"/>, so a reading finds them by index.
/// </summary>
internal sealed class RuleLane(MemberArena arena, WindowStore[] windows, int absentOffset, int absentFields)
{
    public WindowStore[] Windows { get; } = windows;

    public int AbsentFields { get; } = absentFields;

    /// <summary>When absent() field <paramref name="i"/> was last received by member <paramref name="m"/>, Unix ns.</summary>
    public ref long AbsentSeen(int i, int m) => ref arena.At((m * arena.Stride) + absentOffset + i);

    /// <summary>Starts member <paramref name="m"/> (its block was just added to the arena, zeroed) with empty windows.</summary>
    public void AddMember(int m)
    {
        foreach (var w in Windows)
        {
            w.AddMember(m);
        }
    }
}
