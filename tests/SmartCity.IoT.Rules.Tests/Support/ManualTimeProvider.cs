namespace SmartCity.IoT.Rules.Tests.Support;

/// <summary>A clock that only moves when told to, with no locks or bookkeeping (for allocation measurements).</summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
