using System.Buffers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.KeyValueStore;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Gateway.Hosting;
using SmartCity.IoT.Gateway.Pipeline;
using SmartCity.IoT.Nats;

namespace SmartCity.IoT.Gateway.Nats;

/// <summary>
/// Rule state that follows partition ownership, kept in a replicated key-value bucket (one key per partition) instead of
/// the local checkpoint file. On acquiring a partition: restore its checkpoint into the engine (merging: only its devices
/// change), then replay into the rules the partition's messages after the checkpoint's stream position up to what its
/// consumer had delivered to the previous owner, each at the time the stream stored it. Periodically and on release or
/// stop: checkpoint each owned partition once the alert outbox has committed every transition the checkpoint reflects.
/// On release: drop the partition's devices from the engine. Writes are fenced by the key's revision: an instance that
/// lost a partition cannot overwrite the checkpoint its new owner wrote.
/// </summary>
internal sealed partial class PartitionRuleState : BackgroundService, IPartitionOwnershipObserver
{
    private static readonly TimeSpan CommitWait = TimeSpan.FromSeconds(10);
    private const int ReplayBatch = 256;

    private readonly IngestPipeline _pipeline;
    private readonly INatsConnection _connection;
    private readonly NatsOptions _source;
    private readonly NatsPartitions _partitions;
    private readonly NatsStateOptions _options;
    private readonly TimeSpan _interval;
    private readonly ILogger<PartitionRuleState> _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly Dictionary<int, Owned> _owned = [];
    private readonly MemoryStream _buffer = new();
    private INatsKVStore? _store;

    public PartitionRuleState(IngestPipeline pipeline, INatsConnection connection, IOptions<NatsOptions> source, IOptions<NatsStateOptions> options, IOptions<GatewayOptions> gateway, ILogger<PartitionRuleState> logger, TimeProvider time)
    {
        _pipeline = pipeline;
        _connection = connection;
        _source = source.Value;
        _partitions = new NatsPartitions(_source);
        _options = options.Value;
        _interval = gateway.Value.RulesCheckpointInterval;
        _logger = logger;
        _time = time;
    }

    /// <summary>The partitions whose state this instance holds now, with the stream position each checkpoint records.</summary>
    public IReadOnlyDictionary<int, long> Positions
    {
        get
        {
            lock (_owned)
            {
                return _owned.ToDictionary(p => p.Key, p => p.Value.Position);
            }
        }
    }

    public async Task PartitionAcquiredAsync(string source, int partition, CancellationToken cancellationToken)
    {
        await _one.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var store = await StoreAsync(cancellationToken).ConfigureAwait(false);
            var key = PartitionCheckpoint.KeyOf(partition);
            var entry = await store.TryGetEntryAsync<byte[]>(key, cancellationToken: cancellationToken).ConfigureAwait(false);
            ulong? revision = entry.Success ? entry.Value.Revision : null;
            var delivered = await DeliveredAsync(partition, cancellationToken).ConfigureAwait(false);
            long position;
            if (entry.Success && entry.Value is { Operation: NatsKVOperation.Put, Value: { } value } && TryParse(partition, value) is { } checkpoint)
            {
                var restored = 0;
                await _pipeline.WithEngineAsync(e => restored = e.RestorePartition(partition, new MemoryStream(checkpoint.State.ToArray(), writable: false)), cancellationToken).ConfigureAwait(false);
                var replayed = await ReplayAsync(partition, checkpoint.Position, delivered, cancellationToken).ConfigureAwait(false);
                position = Math.Max(checkpoint.Position, replayed.Through);
                Log.Restored(_logger, partition, restored, checkpoint.Position, replayed.Count, position);
            }
            else
            {
                // Nothing to restore: the partition starts with empty rule state, as of what its consumer delivered so far.
                position = delivered;
                Log.NoCheckpoint(_logger, partition, _options.StateBucket, position);
            }

            lock (_owned)
            {
                _owned[partition] = new Owned(position, revision);
            }

            // At once, so a crash before the first periodic checkpoint still hands the position over.
            await SaveCoreAsync(partition, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _one.Release();
        }
    }

    public async Task PartitionReleasedAsync(string source, int partition, CancellationToken cancellationToken)
    {
        await _one.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SaveCoreAsync(partition, cancellationToken).ConfigureAwait(false);
            var dropped = 0;
            await _pipeline.WithEngineAsync(e => dropped = e.DropPartition(partition), cancellationToken).ConfigureAwait(false);
            lock (_owned)
            {
                _owned.Remove(partition);
            }

            Log.Released(_logger, partition, dropped);
        }
        finally
        {
            _one.Release();
        }
    }

    /// <summary>Checkpoints every owned partition now (the periodic pass; tests).</summary>
    public async Task SaveAllAsync(CancellationToken cancellationToken)
    {
        await _one.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var partition in Positions.Keys)
            {
                await SaveCoreAsync(partition, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _one.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await SaveAllAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is NatsException or InvalidOperationException)
                {
                    Log.SaveFailed(_logger, "all owned", ex.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        // Hosted services stop in reverse order, so this runs while the pipeline still commits alerts; a partition the
        // source then releases is checkpointed once more.
        try
        {
            await SaveAllAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NatsException or InvalidOperationException or OperationCanceledException)
        {
            Log.SaveFailed(_logger, "all owned", ex.Message);
        }
    }

    private async Task SaveCoreAsync(int partition, CancellationToken cancellationToken)
    {
        Owned owned;
        lock (_owned)
        {
            if (!_owned.TryGetValue(partition, out owned))
            {
                return;
            }
        }

        var buffer = _buffer;
        buffer.SetLength(0);
        long reflected = 0;
        var committed = await _pipeline.SnapshotEngineAsync(e => reflected = e.SavePartition(partition, buffer), cancellationToken).ConfigureAwait(false);
        try
        {
            // The bucket may only say "firing" for alerts the outbox has: the new owner does not replay what this reflects.
            await committed.WaitAsync(CommitWait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.SaveDeferred(_logger, partition, CommitWait);
            return;
        }

        var position = Math.Max(owned.Position, reflected);
        var value = new PartitionCheckpoint(partition, position, _time.GetUtcNow().ToUnixTimeMilliseconds(), buffer.GetBuffer().AsMemory(0, (int)buffer.Length)).Format();
        var store = await StoreAsync(cancellationToken).ConfigureAwait(false);
        var key = PartitionCheckpoint.KeyOf(partition);
        var written = owned.Revision is { } revision
            ? await store.TryUpdateAsync(key, value, revision, cancellationToken: cancellationToken).ConfigureAwait(false)
            : await store.TryCreateAsync(key, value, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!written.Success)
        {
            // Someone else wrote it since we read it: the partition's newer owner. Ours is stale; leave theirs.
            Log.SaveFenced(_logger, partition, _options.StateBucket, written.Error.Message);
            return;
        }

        lock (_owned)
        {
            if (_owned.ContainsKey(partition))
            {
                _owned[partition] = new Owned(position, written.Value);
            }
        }
    }

    /// <summary>Replays the partition's messages after <paramref name="after"/> up to <paramref name="through"/> into the rules.</summary>
    private async Task<(int Count, long Through)> ReplayAsync(int partition, long after, long through, CancellationToken cancellationToken)
    {
        if (through <= after)
        {
            return (0, after);
        }

        var js = new NatsJSContext(_connection);
        // A consumer of its own, unacknowledged, that the server forgets soon after (one filter subject: nats-server 2.9
        // has no multi-filter consumers).
        var name = $"{_source.Durable}-replay-p{partition}-{Guid.NewGuid():N}";
        var consumer = await js.CreateOrUpdateConsumerAsync(_source.Stream, new ConsumerConfig(name)
        {
            FilterSubject = _partitions.FilterFor(partition),
            DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence,
            OptStartSeq = (ulong)after + 1,
            AckPolicy = ConsumerConfigAckPolicy.None,
            InactiveThreshold = TimeSpan.FromSeconds(30),
        }, cancellationToken).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.StateReplayTimeout);
        var batch = new List<(InboundMessage, long)>(ReplayBatch);
        var count = 0;
        var last = after;
        try
        {
            var more = true;
            while (more && last < through)
            {
                more = false;
                await foreach (var msg in consumer.FetchNoWaitAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = ReplayBatch }, NatsRawSerializer<byte[]>.Default, timeout.Token).ConfigureAwait(false))
                {
                    more = true;
                    if (!JetStreamDelivery.TryRead(msg.Subject, msg.ReplyTo, out var delivery) || (long)delivery.StreamSequence > through)
                    {
                        more = false;
                        break;
                    }

                    last = (long)delivery.StreamSequence;
                    var at = delivery.TimestampNs; // as the live path stamps it
                    var message = new InboundMessage(_partitions.TopicOf(delivery.Subject, partition), new ReadOnlySequence<byte>(msg.Data ?? []), at, default) { Partition = partition, StreamSequence = last };
                    batch.Add((message, at));
                }

                count += batch.Count;
                await _pipeline.ReplayAsync(batch, TopicSyntax.Subject, cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.ReplayCut(_logger, partition, _options.StateReplayTimeout, count, last, through);
        }
        finally
        {
            await js.DeleteConsumerAsync(_source.Stream, name, CancellationToken.None).ConfigureAwait(false);
        }

        return (count, last);
    }

    /// <summary>The newest stream sequence the partition's durable consumer has delivered (to whichever owner), 0 when it has none yet.</summary>
    private async Task<long> DeliveredAsync(int partition, CancellationToken cancellationToken)
    {
        var js = new NatsJSContext(_connection);
        try
        {
            var consumer = await js.GetConsumerAsync(_source.Stream, _partitions.ConsumerFor(_source.Durable, partition), cancellationToken).ConfigureAwait(false);
            return (long)consumer.Info.Delivered.StreamSeq;
        }
        catch (NatsJSApiException ex) when (ex.Error.Code == 404)
        {
            return 0;
        }
    }

    private PartitionCheckpoint? TryParse(int partition, byte[] value)
    {
        try
        {
            return PartitionCheckpoint.Parse(value);
        }
        catch (InvalidDataException ex)
        {
            Log.CheckpointUnreadable(_logger, partition, _options.StateBucket, ex.Message);
            return null;
        }
    }

    private async ValueTask<INatsKVStore> StoreAsync(CancellationToken cancellationToken)
    {
        if (_store is { } store)
        {
            return store;
        }

        var kv = new NatsKVContext(new NatsJSContext(_connection));
        _store = await kv.CreateOrUpdateStoreAsync(new NatsKVConfig(_options.StateBucket) { History = 1, NumberOfReplicas = _options.StateReplicas }, cancellationToken).ConfigureAwait(false);
        return _store;
    }

    public override void Dispose()
    {
        _one.Dispose();
        _buffer.Dispose();
        base.Dispose();
    }

    private readonly record struct Owned(long Position, ulong? Revision);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1701, Level = LogLevel.Information, Message = "Partition {Partition}: restored rule state of {Devices} devices as of stream sequence {Checkpointed}, replayed {Replayed} later messages into the rules, now at {Position}")]
        public static partial void Restored(ILogger logger, int partition, int devices, long checkpointed, int replayed, long position);

        [LoggerMessage(EventId = 1702, Level = LogLevel.Information, Message = "Partition {Partition}: no rule state in bucket {Bucket}, starting empty as of stream sequence {Position}")]
        public static partial void NoCheckpoint(ILogger logger, int partition, string bucket, long position);

        [LoggerMessage(EventId = 1703, Level = LogLevel.Information, Message = "Partition {Partition}: released after a last checkpoint, {Devices} devices dropped from the rule engine")]
        public static partial void Released(ILogger logger, int partition, int devices);

        [LoggerMessage(EventId = 1704, Level = LogLevel.Warning, Message = "Partition {Partition}: checkpoint not written, the alert outbox did not commit the transitions it reflects within {Wait}; the previous checkpoint stays")]
        public static partial void SaveDeferred(ILogger logger, int partition, TimeSpan wait);

        [LoggerMessage(EventId = 1705, Level = LogLevel.Warning, Message = "Partition {Partition}: checkpoint not written, another instance wrote bucket {Bucket} since ({Reason}); this instance no longer owns it")]
        public static partial void SaveFenced(ILogger logger, int partition, string bucket, string reason);

        [LoggerMessage(EventId = 1706, Level = LogLevel.Warning, Message = "Rule-state checkpoint of {Partition} partitions failed: {Reason}")]
        public static partial void SaveFailed(ILogger logger, string partition, string reason);

        [LoggerMessage(EventId = 1707, Level = LogLevel.Warning, Message = "Partition {Partition}: replay cut after {Timeout} ({Count} messages, up to stream sequence {Last} of {Through}); rule state of the rest is lost")]
        public static partial void ReplayCut(ILogger logger, int partition, TimeSpan timeout, int count, long last, long through);

        [LoggerMessage(EventId = 1708, Level = LogLevel.Warning, Message = "Partition {Partition}: the checkpoint in bucket {Bucket} is unreadable ({Reason}); starting with empty rule state")]
        public static partial void CheckpointUnreadable(ILogger logger, int partition, string bucket, string reason);
    }
}
