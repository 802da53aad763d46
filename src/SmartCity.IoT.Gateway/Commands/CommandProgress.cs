using Spectre.Console;

namespace SmartCity.IoT.Gateway.Commands;

/// <summary>
/// A Spectre.Console progress bar for a long command with a known end (a count, a duration or a spool's size), polled
/// from a counter the work updates. On a terminal it redraws in place; redirected, Spectre prints occasional lines.
/// </summary>
internal static class CommandProgress
{
    /// <summary>Runs <paramref name="work"/> while showing <paramref name="current"/> against <paramref name="total"/> (both in the same unit).</summary>
    public static async Task<T> RunAsync<T>(string description, Func<double> total, Func<double> current, Func<Task<T>> work)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        T result = default!;
        await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(description), maxValue: Math.Max(1, total()));
                var running = work();
                while (!running.IsCompleted)
                {
                    task.MaxValue = Math.Max(1, total());
                    task.Value = Math.Min(task.MaxValue, current());
                    await Task.WhenAny(running, Task.Delay(250)).ConfigureAwait(false);
                }

                task.Value = Math.Min(task.MaxValue, current());
                result = await running.ConfigureAwait(false);
                task.StopTask();
            }).ConfigureAwait(false);
        return result;
    }
}
