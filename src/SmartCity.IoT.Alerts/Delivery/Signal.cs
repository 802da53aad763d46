namespace SmartCity.IoT.Alerts.Delivery;

/// <summary>An auto-reset wake-up: <see cref="Set"/> releases the current (or next) <see cref="WaitAsync"/>.</summary>
internal sealed class Signal
{
    private TaskCompletionSource _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Set() => _tcs.TrySetResult();

    /// <summary>Waits for <see cref="Set"/> or the delay (on the given clock), whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan delay, TimeProvider time, CancellationToken ct)
    {
        var tcs = Volatile.Read(ref _tcs);
        if (!tcs.Task.IsCompleted && delay > TimeSpan.Zero)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var timer = Task.Delay(delay, time, cts.Token);
            await Task.WhenAny(tcs.Task, timer).ConfigureAwait(false);
            await cts.CancelAsync().ConfigureAwait(false);
        }

        ct.ThrowIfCancellationRequested();
        Interlocked.CompareExchange(ref _tcs, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), tcs);
    }
}
