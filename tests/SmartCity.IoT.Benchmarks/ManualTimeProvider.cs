namespace SmartCity.IoT.Benchmarks;

/// <summary>A clock the benchmark moves by hand: each reading advances it by the device period / device count.</summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(_ticks, TimeSpan.Zero);

    public void Advance(long ticks) => _ticks += ticks;
}
