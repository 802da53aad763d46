using SmartCity.IoT.Alerts.Delivery;
using SmartCity.IoT.Alerts.Options;
using SmartCity.IoT.Alerts.Outbox;
using SmartCity.IoT.Alerts.Routing;

// Usage: TestHost --outbox FILE --url URL [--name NAME] [--secret whsec_...] [--timeout SECONDS] [--exit-when-empty]
// Opens the outbox and runs the webhook dispatcher, as the gateway does, until killed (or, with --exit-when-empty, until the outbox is empty).
var outboxPath = Arg("--outbox") ?? throw new ArgumentException("--outbox is required");
var url = Arg("--url") ?? throw new ArgumentException("--url is required");
var name = Arg("--name") ?? "receiver";
var secret = Arg("--secret");
var timeout = TimeSpan.FromSeconds(double.Parse(Arg("--timeout") ?? "60", System.Globalization.CultureInfo.InvariantCulture));
var exitWhenEmpty = args.Contains("--exit-when-empty");

var options = new AlertsOptions
{
    OutboxPath = outboxPath,
    RetrySchedule = [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200)],
    PollInterval = TimeSpan.FromMilliseconds(100),
    DeliveryTimeout = timeout,
};
var endpointOptions = new WebhookEndpointOptions { Name = name, Url = url, Secret = secret };
var endpoints = new[] { new WebhookEndpoint(name, endpointOptions, options) };
var outbox = new AlertOutbox(outboxPath);
using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
var dispatcher = new WebhookDispatcher(outbox, options, endpoints, http);
using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
Console.WriteLine($"ready pending={outbox.CountPending()}");

if (exitWhenEmpty)
{
    dispatcher.Prepare();
    while (outbox.CountPending() > 0 && !cts.IsCancellationRequested)
    {
        if (await dispatcher.DeliverDueAsync(cts.Token) == 0)
        {
            await Task.Delay(50, cts.Token);
        }
    }

    Console.WriteLine($"done pending={outbox.CountPending()} dead={outbox.CountDeadLetters()}");
    return 0;
}

await dispatcher.RunAsync(cts.Token);
return 0;

string? Arg(string flag)
{
    var i = Array.IndexOf(args, flag);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
