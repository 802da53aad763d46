namespace SmartCity.IoT.Core.Resilience;

/// <summary>
/// Capped exponential backoff with jitter: attempt <c>n</c> (from 1) waits <c>min(Max, Initial * 2^(n-1))</c>, less a random
/// part of up to <see cref="Jitter"/> of it, so many clients that failed together do not retry together, and no wait ever
/// exceeds <see cref="Max"/>. Immutable and thread-safe; give it a seeded <see cref="Random"/> for a repeatable sequence.
/// </summary>
public sealed class Backoff
{
    // 2^62 ticks is far past any sensible cap; beyond it the doubling would overflow.
    private const int MaxDoublings = 62;

    private readonly Random _random;
    private readonly Lock? _randomGate;

    /// <param name="initial">The first wait; positive.</param>
    /// <param name="max">The longest wait; at least <paramref name="initial"/>.</param>
    /// <param name="jitter">Share of each wait that is random, from 0 (none) to 1 (anything from 0 up to the wait).</param>
    /// <param name="random">The randomness (default <see cref="Random.Shared"/>); a given instance is used under a lock.</param>
    public Backoff(TimeSpan initial, TimeSpan max, double jitter = 0, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        if (!(jitter is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(jitter), jitter, "Jitter must be between 0 and 1.");
        }

        Initial = initial;
        Max = max;
        Jitter = jitter;
        _random = random ?? Random.Shared;
        _randomGate = random is null ? null : new Lock();
        AttemptAtMax = 1;
        while (AttemptAtMax <= MaxDoublings && Nominal(AttemptAtMax) < max)
        {
            AttemptAtMax++;
        }
    }

    public TimeSpan Initial { get; }

    public TimeSpan Max { get; }

    public double Jitter { get; }

    /// <summary>The first attempt whose wait (before jitter) is <see cref="Max"/>.</summary>
    public int AttemptAtMax { get; }

    /// <summary>The wait before retry number <paramref name="attempt"/> (1 for the first retry), without jitter.</summary>
    public TimeSpan Nominal(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var doublings = Math.Min(attempt - 1, MaxDoublings);
        var limit = Max.Ticks >> doublings;
        return Initial.Ticks > limit ? Max : TimeSpan.FromTicks(Math.Min(Max.Ticks, Initial.Ticks << doublings));
    }

    /// <summary>The wait before retry number <paramref name="attempt"/> (1 for the first retry), with jitter.</summary>
    public TimeSpan Delay(int attempt)
    {
        var nominal = Nominal(attempt);
        if (Jitter == 0)
        {
            return nominal;
        }

        return TimeSpan.FromTicks(nominal.Ticks - (long)(nominal.Ticks * Jitter * NextDouble()));
    }

    private double NextDouble()
    {
        if (_randomGate is null)
        {
            return _random.NextDouble();
        }

        lock (_randomGate)
        {
            return _random.NextDouble();
        }
    }
}
