using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.KeyValueStore;

namespace SmartCity.IoT.Nats;

/// <summary>
/// <c>nats init</c>: creates (or brings up to date) what the gateway reads from and coordinates through: the readings
/// stream on <c>&lt;PartitionPrefix&gt;.&gt;</c> with Limits retention (acknowledged readings stay for
/// <see cref="NatsSetupSettings.MaxAge"/>, so a new owner can replay from a checkpointed sequence; a work queue would
/// delete them on acknowledgement) and the key-value buckets. Idempotent: run it again after a change.
/// </summary>
public static class NatsSetup
{
    /// <summary>The key-value buckets the gateway needs, with what each holds; rule state adds its bucket here.</summary>
    public static IReadOnlyList<(string Bucket, string Purpose, int History)> Buckets(NatsOptions options) =>
    [
        (options.LeaseBucket, "partition leases and instance heartbeats", 1),
    ];

    /// <summary>Creates or updates the stream and the buckets; each line of the result says what was done.</summary>
    /// <exception cref="NatsSetupException">The server is unreachable, has no JetStream, or refuses a setting (said in one sentence).</exception>
    public static async Task<IReadOnlyList<string>> InitAsync(NatsOptions options, NatsSetupSettings settings, CancellationToken cancellationToken)
    {
        await using var connection = new NatsConnection(new NatsOpts { Url = options.Url, Name = "smartcity-nats-init", ConnectTimeout = settings.ConnectTimeout, MaxReconnectRetry = 0 });
        try
        {
            await connection.ConnectAsync().ConfigureAwait(false);
        }
        catch (NatsException ex)
        {
            throw new NatsSetupException($"cannot reach NATS at {options.Endpoint}: {ex.Message}");
        }

        var js = new NatsJSContext(connection);
        var done = new List<string>();
        var subject = $"{options.PartitionPrefix}.>";
        var config = new StreamConfig(options.Stream, [subject])
        {
            Retention = StreamConfigRetention.Limits,
            Storage = StreamConfigStorage.File,
            NumReplicas = settings.Replicas,
            MaxAge = settings.MaxAge,
            Discard = StreamConfigDiscard.Old,
            DuplicateWindow = TimeSpan.FromMinutes(2),
        };
        try
        {
            var existed = await ExistsAsync(js, options.Stream, cancellationToken).ConfigureAwait(false);
            if (existed is { } old && old.Config.Retention != StreamConfigRetention.Limits)
            {
                throw new NatsSetupException($"stream '{options.Stream}' exists with {old.Config.Retention} retention: it deletes readings once acknowledged, so a new partition owner cannot replay them; delete it (nats stream rm {options.Stream}) or set Nats:Stream to another name, then run nats init again");
            }

            var stream = await js.CreateOrUpdateStreamAsync(config, cancellationToken).ConfigureAwait(false);
            done.Add($"stream {options.Stream}: {(existed is null ? "created" : "up to date")} (subjects {subject}, {stream.Info.Config.NumReplicas} replica(s), Limits retention, max age {settings.MaxAge})");
            foreach (var (bucket, purpose, history) in Buckets(options))
            {
                var kvConfig = new NatsKVConfig(bucket) { History = history, NumberOfReplicas = settings.Replicas, Storage = NatsKVStorageType.File };
                var kv = new NatsKVContext(js);
                var before = await BucketExistsAsync(kv, bucket, cancellationToken).ConfigureAwait(false);
                await kv.CreateOrUpdateStoreAsync(kvConfig, cancellationToken).ConfigureAwait(false);
                done.Add($"key-value bucket {bucket}: {(before ? "up to date" : "created")} ({purpose}, {settings.Replicas} replica(s))");
            }
        }
        catch (NatsNoRespondersException)
        {
            throw new NatsSetupException($"JetStream is not enabled on {options.Endpoint}: add a jetstream {{ store_dir: ... }} block to the server's configuration");
        }
        catch (NatsJSApiException ex)
        {
            throw new NatsSetupException($"JetStream on {options.Endpoint} refused: {ex.Error.Description} (code {ex.Error.Code}){(settings.Replicas > 1 ? $"; {settings.Replicas} replicas need a cluster of at least {settings.Replicas} JetStream servers" : "")}");
        }
        catch (NatsJSException ex)
        {
            throw new NatsSetupException($"JetStream on {options.Endpoint}: {ex.Message}");
        }

        return done;
    }

    private static async Task<StreamInfo?> ExistsAsync(NatsJSContext js, string name, CancellationToken cancellationToken)
    {
        try
        {
            return (await js.GetStreamAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false)).Info;
        }
        catch (NatsJSApiException ex) when (ex.Error.Code == 404)
        {
            return null;
        }
    }

    private static async Task<bool> BucketExistsAsync(NatsKVContext kv, string bucket, CancellationToken cancellationToken)
    {
        try
        {
            await kv.GetStoreAsync(bucket, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (NatsKVException)
        {
            return false;
        }
        catch (NatsJSApiException ex) when (ex.Error.Code == 404)
        {
            return false;
        }
    }
}
