using System.Globalization;
using SmartCity.IoT.Alerts.Outbox;

namespace SmartCity.IoT.Alerts;

/// <summary>The <c>alerts dead-letter list|retry</c> commands; they open the outbox file directly, so they work with or without a running gateway.</summary>
public static class AlertCommands
{
    /// <summary>Prints every dead letter. Returns 0, or 1 when the outbox file does not exist.</summary>
    public static int DeadLetterList(string outboxPath, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (Open(outboxPath, output) is not { } outbox)
        {
            return 1;
        }

        var letters = outbox.GetDeadLetters(int.MaxValue);
        if (letters.Count == 0)
        {
            output.WriteLine($"No dead letters in {Path.GetFullPath(outboxPath)}.");
            return 0;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"ID",-8} {"ENDPOINT",-20} {"STATUS",-9} {"ATTEMPTS",8} {"DEAD AT (UTC)",-20} {"WEBHOOK-ID",-36} REASON"));
        foreach (var d in letters)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{d.Id,-8} {d.Endpoint,-20} {d.Status,-9} {d.Attempts,8} {d.DeadAt.UtcDateTime,-20:yyyy-MM-dd HH:mm:ss} {d.WebhookId,-36} {d.Reason}"));
            output.WriteLine($"         alerts: {string.Join(", ", d.Fingerprints)}");
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{letters.Count} dead letter(s). Retry one with 'alerts dead-letter retry ID', all with 'alerts dead-letter retry'."));
        return 0;
    }

    /// <summary>Requeues one dead letter (by id) or all of them (<paramref name="id"/> null or "all"), keeping their webhook-id. Returns 0 when all were requeued, 1 otherwise.</summary>
    public static int DeadLetterRetry(string outboxPath, string? id, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (Open(outboxPath, output) is not { } outbox)
        {
            return 1;
        }

        IEnumerable<long> ids;
        if (string.IsNullOrWhiteSpace(id) || id.Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            ids = outbox.GetDeadLetters(int.MaxValue).Select(d => d.Id).ToList();
        }
        else if (long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var one))
        {
            ids = [one];
        }
        else
        {
            output.WriteLine($"'{id}' is not a dead-letter id (a number from 'alerts dead-letter list') or 'all'.");
            return 1;
        }

        var failures = 0;
        var requeued = 0;
        foreach (var d in ids)
        {
            switch (outbox.RetryDeadLetter(d))
            {
                case DeadLetterRetryResult.Requeued:
                    requeued++;
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{d}: requeued (same webhook-id); a running gateway sends it within a second."));
                    break;
                case DeadLetterRetryResult.Superseded:
                    failures++;
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{d}: not retried: a later notification about the same alert was already delivered to that endpoint."));
                    break;
                default:
                    failures++;
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{d}: no such dead letter."));
                    break;
            }
        }

        if (requeued == 0 && failures == 0)
        {
            output.WriteLine("No dead letters to retry.");
        }

        foreach (var e in outbox.GetEndpoints().Where(e => e.IsDisabled))
        {
            output.WriteLine($"Note: endpoint '{e.Name}' is disabled ({e.DisabledReason}); its notifications wait until it is enabled (POST /api/webhooks/{e.Name}/enable) or its URL changes.");
        }

        return failures == 0 ? 0 : 1;
    }

    /// <summary>The outbox at <paramref name="outboxPath"/>, or null (with the reason written) when there is none or it cannot be used.</summary>
    private static AlertOutbox? Open(string outboxPath, TextWriter output)
    {
        if (string.IsNullOrWhiteSpace(outboxPath) || !File.Exists(outboxPath))
        {
            output.WriteLine($"No alert outbox at '{outboxPath}' (Alerts:OutboxPath; default data/alerts.db relative to the gateway's working directory).");
            return null;
        }

        if (OutboxSchema.Problem(outboxPath) is { } problem)
        {
            output.WriteLine(problem);
            return null;
        }

        return new AlertOutbox(outboxPath);
    }
}
