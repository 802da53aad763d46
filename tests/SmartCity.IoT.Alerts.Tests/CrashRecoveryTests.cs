using SmartCity.IoT.Testing;
using SmartCity.IoT.Alerts.Options;

namespace SmartCity.IoT.Alerts.Tests;

/// <summary>The outbox survives SIGKILL of the delivering process between store and 2xx.</summary>
public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task Killed_mid_delivery_then_restarted_delivers_exactly_once_more_with_the_same_webhook_id()
    {
        var completed = 0;
        await using var receiver = await Receiver.StartAsync(async (call, ctx) =>
        {
            if (call == 1)
            {
                // Hold the first attempt open: the notification is stored and in flight when the process dies.
                await Task.Delay(TimeSpan.FromSeconds(30), ctx.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            ctx.Response.StatusCode = 200;
            Interlocked.Increment(ref completed);
        });
        using var dir = new TempDir();
        var outboxPath = dir.Sub("alerts.db");
        await using (var h = new Harness([new WebhookEndpointOptions { Name = "receiver", Url = receiver.Url }], outboxPath: outboxPath))
        {
            h.Publish(TestAlerts.Firing());
            Assert.Equal(1, h.Outbox.CountPending());
        }

        using (var first = StartHost(outboxPath, receiver.Url, exitWhenEmpty: false))
        {
            try
            {
                await Eventually.UntilAsync(() => !receiver.Requests.IsEmpty, TimeSpan.FromSeconds(30), "the first (held) attempt");
            }
            finally
            {
                first.Kill(); // SIGKILL: no shutdown code runs
            }

            Assert.NotEqual(0, first.ExitCode);
        }

        Assert.Equal(1, new Outbox.AlertOutbox(outboxPath).CountPending());
        using (var second = StartHost(outboxPath, receiver.Url, exitWhenEmpty: true))
        {
            try
            {
                await second.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            }
            finally
            {
                second.Kill();
            }

            Assert.Equal(0, second.ExitCode);
        }

        await Task.Delay(300);
        var requests = receiver.Requests.OrderBy(r => r.Call).ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal(1, Volatile.Read(ref completed));
        Assert.Equal(requests[0].WebhookId, requests[1].WebhookId);
        Assert.Equal(requests[0].BodyText, requests[1].BodyText);
        var outbox = new Outbox.AlertOutbox(outboxPath);
        Assert.Equal(0, outbox.CountPending());
        Assert.Equal(0, outbox.CountDeadLetters());
    }

    private static ServerProcess StartHost(string outboxPath, string url, bool exitWhenEmpty)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "SmartCity.IoT.Alerts.TestHost.dll");
        Assert.True(File.Exists(dll), $"test host not built next to the tests: {dll}");
        var dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        string[] arguments = ["exec", dll, "--outbox", outboxPath, "--url", url, "--name", "receiver", "--timeout", "60"];
        var process = new ServerProcess(dotnet, exitWhenEmpty ? [.. arguments, "--exit-when-empty"] : arguments);
        process.Start();
        return process;
    }
}
