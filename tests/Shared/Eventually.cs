using System.Collections;
using System.Globalization;
using System.Runtime.CompilerServices;
using Xunit.Sdk;

namespace SmartCity.IoT.Testing;

/// <summary>
/// Polls real time until a condition holds or a bounded time runs out, then fails with a <see cref="TimeoutException"/>
/// that names what was awaited, the last value seen and the last exception the check threw. For real servers, processes
/// and background loops; logic under a FakeTimeProvider advances its fake time instead.
/// </summary>
/// <remarks>
/// An exception from a check counts as "not yet" (a server not listening, a stream not created) and is reported if time
/// runs out; an xunit assertion failing inside a check ends the wait at once (a verdict, such as "the process exited",
/// that waiting cannot change), and so does cancellation of <c>cancellationToken</c>. The check runs once more at the
/// deadline. In-process checks are cheap and poll every 20 ms by default; probes that do I/O poll every 200 ms so as not
/// to load the server they watch.
/// </remarks>
internal static class Eventually
{
    private static readonly TimeSpan QuickInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Waits until <paramref name="condition"/> holds; without <paramref name="what"/>, a failure quotes the condition's code.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, [CallerArgumentExpression(nameof(condition))] string what = "", TimeSpan? interval = null, CancellationToken cancellationToken = default) =>
        UntilAsync(condition, timeout, () => what, interval, cancellationToken);

    /// <summary>Waits until <paramref name="condition"/> holds; <paramref name="what"/> is computed at failure, so it can describe the state then.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> what, TimeSpan? interval = null, CancellationToken cancellationToken = default) =>
        PollAsync(() => Task.FromResult(condition()), held => held, timeout, what, interval ?? QuickInterval, cancellationToken);

    /// <summary>Waits until the asynchronous <paramref name="condition"/> holds; without <paramref name="what"/>, a failure quotes the condition's code.</summary>
    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, [CallerArgumentExpression(nameof(condition))] string what = "", TimeSpan? interval = null, CancellationToken cancellationToken = default) =>
        UntilAsync(condition, timeout, () => what, interval, cancellationToken);

    /// <summary>Waits until the asynchronous <paramref name="condition"/> holds; <paramref name="what"/> is computed at failure.</summary>
    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what, TimeSpan? interval = null, CancellationToken cancellationToken = default) =>
        PollAsync(condition, held => held, timeout, what, interval ?? ProbeInterval, cancellationToken);

    /// <summary>Probes until <paramref name="done"/> accepts the value, and returns that value.</summary>
    public static Task<T> WaitAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what, TimeSpan? interval = null, CancellationToken cancellationToken = default) =>
        PollAsync(probe, done, timeout, () => what, interval ?? ProbeInterval, cancellationToken);

    /// <summary>Probes until <paramref name="done"/> accepts the value, and returns that value; <paramref name="what"/> is computed at failure.</summary>
    public static Task<T> WaitAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, Func<string> what, TimeSpan? interval = null, CancellationToken cancellationToken = default) =>
        PollAsync(probe, done, timeout, what, interval ?? ProbeInterval, cancellationToken);

    private static async Task<T> PollAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, Func<string> what, TimeSpan interval, CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        var started = time.GetTimestamp();
        var checks = 0;
        var seen = false;
        T last = default!;
        Exception? lastError = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            checks++;
            try
            {
                last = await probe();
                seen = true;
                lastError = null;
                if (done(last))
                {
                    return last;
                }
            }
            catch (Exception ex) when (IsNotYet(ex, cancellationToken))
            {
                lastError = ex;
            }

            var left = timeout - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                break;
            }

            await Task.Delay(left < interval ? left : interval, time, cancellationToken);
        }

        throw new TimeoutException(Message(timeout, checks, Describe(what), typeof(T) == typeof(bool) || !seen ? null : Show(last), lastError), lastError);
    }

    private static bool IsNotYet(Exception ex, CancellationToken cancellationToken) =>
        ex is not XunitException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private static string Message(TimeSpan timeout, int checks, string what, string? last, Exception? lastError)
    {
        var message = string.Create(CultureInfo.InvariantCulture, $"Timed out after {timeout.TotalSeconds:0.###} s ({checks} checks) waiting for {what}");
        if (last is not null)
        {
            message += "; last value: " + last;
        }

        return lastError is null ? message : $"{message}; last error: {lastError.GetType().Name}: {lastError.Message}";
    }

    private static string Describe(Func<string> what)
    {
        try
        {
            return what();
        }
        catch (Exception ex)
        {
            // The description reads live state that may itself be broken; the timeout must still be reported.
            return $"(the description threw {ex.GetType().Name}: {ex.Message})";
        }
    }

    private static string Show(object? value)
    {
        try
        {
            return value switch
            {
                null => "null",
                string s => s,
                IEnumerable items => Items(items),
                _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
            };
        }
        catch (Exception ex)
        {
            return $"(showing it threw {ex.GetType().Name}: {ex.Message})";
        }
    }

    /// <summary>A collection's count and first items, where its ToString would only name its type.</summary>
    private static string Items(IEnumerable items)
    {
        const int Shown = 10;
        var all = items.Cast<object?>().ToList();
        var head = string.Join(", ", all.Take(Shown).Select(i => Convert.ToString(i, CultureInfo.InvariantCulture)));
        return $"{all.Count} item(s) [{head}{(all.Count > Shown ? ", ..." : "")}]";
    }
}
