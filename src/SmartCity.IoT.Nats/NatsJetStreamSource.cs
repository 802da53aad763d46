using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.KeyValueStore;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Core.Resilience;

namespace SmartCity.IoT.Nats;

/// <summary>
/// A JetStream stream as a source of the gateway (<see cref="IMessageSource"/>): one durable pull consumer per owned
/// partition, explicit acknowledgement once a message's batch is durable, at most <see cref="NatsOptions.MaxAckPending"/>
/// unacknowledged per consumer, redelivery by the server after <see cref="NatsOptions.AckWait"/>. The stream keeps every
/// reading until it is acknowledged, so no local spool is needed for what it holds. Messages of all owned partitions
/// reach the handler one at a time, as the pipeline expects.
/// <para>
/// Ownership is static (instance i of N) or taken by leases (<see cref="PartitionLeases"/>). A partition's consumer starts
/// only once it is owned and every <see cref="IPartitionOwnershipObserver"/> has completed its acquisition; it stops at the
/// lease's lapse less the safety margin unless renewed, and a message is acknowledged only while the partition is still
/// owned by the run that handed it over, so nothing is acknowledged after the lease may have passed to another instance.
/// </para>
/// </summary>
public sealed class NatsJetStreamSource : IMessageSource, IAsyncDisposable
{
    private static readonly byte[] Ack = "+ACK"u8.ToArray();

    private readonly NatsOptions _options;
    private readonly ILogger<NatsJetStreamSource> _logger;
    private readonly TimeProvider _time;
    private readonly NatsPartitions _partitions;
    private readonly Backoff _backoff;
    private readonly IPartitionOwnershipObserver[] _observers;
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly SemaphoreSlim _leaseGate = new(1, 1);
    private readonly ConcurrentDictionary<int, PartitionRun> _runs = new();
    private readonly CancellationTokenSource _crash = new();
    private NatsConnection? _connection;
    private int _generation;
    private long _received;
    private long _redelivered;
    private long _failedConnects;
    private long _acksWithheld;
    private string? _lastError;

    public NatsJetStreamSource(NatsOptions options, ILogger<NatsJetStreamSource> logger, TimeProvider time, IEnumerable<IPartitionOwnershipObserver>? observers = null)
    {
        _options = options;
        _logger = logger;
        _time = time;
        _partitions = new NatsPartitions(options);
        _backoff = new Backoff(options.ReconnectMinDelay, options.ReconnectMaxDelay, jitter: 0.5);
        _observers = observers?.ToArray() ?? [];
        Ownership = new PartitionOwnershipLog(options.EffectiveInstanceId, options.Ownership, time);
        NatsMetrics.Register(this);
    }

    public string Name => _options.Name;

    public TopicSyntax Syntax => TopicSyntax.Subject;

    /// <summary>The partitions this instance is configured for (static) or consumes now (leases); <c>-1</c>: the whole stream.</summary>
    public IReadOnlyList<int> OwnedPartitions => _options.Ownership == NatsOwnership.Static
        ? _partitions.Owned
        : _runs.Keys.Order().ToArray();

    /// <summary>This instance's id, the partitions it consumes since when, and its recent ownership intervals.</summary>
    public PartitionOwnershipLog Ownership { get; }

    public SourceHealth Health => new(
        Name,
        _options.Endpoint,
        _connection is { ConnectionState: NatsConnectionState.Open },
        0,
        _lastError,
        OwnedPartitions.Select(_partitions.FilterFor).ToArray())
    {
        Protocol = "NATS JetStream",
        Delivery = "at least once (acknowledged after the durable write)",
        Received = Interlocked.Read(ref _received),
        FailedConnects = Interlocked.Read(ref _failedConnects),
    };

    /// <summary>Messages the server delivered again because an earlier delivery was not acknowledged in time.</summary>
    public long Redelivered => Interlocked.Read(ref _redelivered);

    /// <summary>Acknowledgements not sent because their partition was no longer owned by the run that handed them over.</summary>
    public long AcksWithheld => Interlocked.Read(ref _acksWithheld);

    public async Task RunAsync(SourceSubscription subscription, IMessageHandler handler, CancellationToken cancellationToken)
    {
        // The connection reconnects by itself; what is retried here is reaching the stream, its consumers and the leases.
        await using var connection = new NatsConnection(new NatsOpts { Url = _options.Url, Name = $"smartcity-{Name}-{Ownership.InstanceId}" });
        _connection = connection;
        var js = new NatsJSContext(connection);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _crash.Token);
        try
        {
            if (_options.Ownership == NatsOwnership.Leases)
            {
                // Leases on a connection of their own, as a Kafka consumer heartbeats on its own thread: a renewal's
                // answer then never waits behind a backlog of deliveries on the consumers' connection.
                await using var leaseConnection = new NatsConnection(new NatsOpts { Url = _options.Url, Name = $"smartcity-{Name}-{Ownership.InstanceId}-leases" });
                await RunLeasesAsync(js, new NatsJSContext(leaseConnection), handler, stop.Token).ConfigureAwait(false);
            }
            else
            {
                await RunStaticAsync(js, handler, stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping (or a simulated crash).
        }
        finally
        {
            _connection = null;
        }
    }

    /// <summary>
    /// Stops at once as a killed process would: consumers end, nothing more is acknowledged, no lease is released and no
    /// observer is told (tests of the takeover).
    /// </summary>
    internal void Crash()
    {
        foreach (var run in _runs.Values)
        {
            _runs.TryRemove(run.Partition, out _);
            run.Stop.Cancel();
            Ownership.Released(run.Partition, "crashed");
        }

        _crash.Cancel();
    }

    private async Task RunStaticAsync(NatsJSContext js, IMessageHandler handler, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var partition in _partitions.Owned)
            {
                var attempt = 0;
                while (!await AcquireAsync(partition, cancellationToken).ConfigureAwait(false))
                {
                    await Task.Delay(_backoff.Delay(++attempt), _time, cancellationToken).ConfigureAwait(false);
                }

                StartRun(js, partition, long.MaxValue, handler);
            }

            await Task.Delay(Timeout.InfiniteTimeSpan, _time, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!_crash.IsCancellationRequested)
            {
                foreach (var run in _runs.Values.ToArray())
                {
                    await StopRunAsync(run, "stopped", drain: true).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task RunLeasesAsync(NatsJSContext js, NatsJSContext leaseJs, IMessageHandler handler, CancellationToken cancellationToken)
    {
        var leases = await OpenLeasesAsync(leaseJs, cancellationToken).ConfigureAwait(false);
        var pending = new Dictionary<int, Task>();
        var period = _options.LeaseTtl / 3;
        using var timer = new PeriodicTimer(period, _time);
        try
        {
            do
            {
                foreach (var done in pending.Where(p => p.Value.IsCompleted).Select(p => p.Key).ToArray())
                {
                    pending.Remove(done);
                }

                await TickAsync(js, leases, pending, handler, cancellationToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            if (!_crash.IsCancellationRequested)
            {
                // A clean stop: the pipeline has flushed and acknowledged before the sources are stopped, so each
                // partition stops, its observers are told, and every lease goes back for the others to take at once.
                await Task.WhenAll(pending.Values).ConfigureAwait(false);
                foreach (var run in _runs.Values.ToArray())
                {
                    await StopRunAsync(run, "stopped", drain: true).ConfigureAwait(false);
                }

                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), _time);
                try
                {
                    await _leaseGate.WaitAsync(timeout.Token).ConfigureAwait(false);
                    await leases.ReleaseAllAsync(timeout.Token).ConfigureAwait(false);
                    Log.LeasesReleased(_logger, Name, Ownership.InstanceId);
                }
                catch (Exception ex) when (ex is NatsException or OperationCanceledException)
                {
                    Log.LeaseRefreshFailed(_logger, Name, Ownership.InstanceId, $"leases not released ({ex.Message}): they lapse after {_options.LeaseTtl}");
                }
            }
        }
    }

    private async Task<PartitionLeases> OpenLeasesAsync(NatsJSContext js, CancellationToken cancellationToken)
    {
        var kv = new NatsKVContext(js);
        var attempt = 0;
        while (true)
        {
            try
            {
                var store = await kv.GetStoreAsync(_options.LeaseBucket, cancellationToken).ConfigureAwait(false);
                return new PartitionLeases(store, Ownership.InstanceId, _options.Partitions, _options.LeaseTtl, _time);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is NatsException or TimeoutException)
            {
                Interlocked.Increment(ref _failedConnects);
                var text = ex is NatsJSApiException { Error.Code: 404 }
                    ? $"lease bucket '{_options.LeaseBucket}' does not exist on {_options.Endpoint}: create it with `smartcity nats init` (see README, \"Scale out on NATS JetStream\")"
                    : Describe(ex);
                if (text != _lastError)
                {
                    Log.StreamUnavailable(_logger, Name, _options.Endpoint, _options.LeaseBucket, text);
                }

                _lastError = text;
                await Task.Delay(_backoff.Delay(++attempt), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One lease round: renew and claim, stop what is no longer safely held, release the surplus, start what was gained.</summary>
    private async Task TickAsync(NatsJSContext js, PartitionLeases leases, Dictionary<int, Task> pending, IMessageHandler handler, CancellationToken cancellationToken)
    {
        LeaseChanges? changes = null;
        await _leaseGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A slow refresh may take until the first held partition's safe end (each run stops itself there, renewed or
            // not), so one slow round on a loaded cluster does not cost every partition; a hung one is cut off there.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var start = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var soonest = _runs.IsEmpty ? 0 : _runs.Values.Min(r => r.ValidUntilUnixMs);
            timeout.CancelAfter(TimeSpan.FromMilliseconds(Math.Max(leases.SafetyMargin.TotalMilliseconds, soonest - start)));
            try
            {
                changes = await leases.RefreshAsync(timeout.Token).ConfigureAwait(false);
                if (_lastError is not null && _lastError.StartsWith("leases:", StringComparison.Ordinal))
                {
                    _lastError = null;
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is NatsException or TimeoutException or OperationCanceledException)
            {
                var text = $"leases: cannot renew in bucket '{_options.LeaseBucket}': {Describe(ex)}";
                if (text != _lastError)
                {
                    Log.LeaseRefreshFailed(_logger, Name, Ownership.InstanceId, text);
                }

                _lastError = text;
            }

            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var run in _runs.Values)
            {
                var validUntil = leases.ValidUntilUnixMs(run.Partition);
                if (validUntil == 0)
                {
                    run.ValidUntil(0, now); // taken by another: stop and acknowledge nothing more
                }
                else if (validUntil > run.ValidUntilUnixMs)
                {
                    run.ValidUntil(validUntil, now);
                }

                if (!run.IsValid(now) && !pending.ContainsKey(run.Partition))
                {
                    var lost = run;
                    pending[run.Partition] = Task.Run(() => StopRunAsync(lost, "lost", drain: false), CancellationToken.None);
                }
            }

            foreach (var partition in changes?.Surplus ?? [])
            {
                if (!pending.ContainsKey(partition))
                {
                    pending[partition] = Task.Run(() => ReleaseAsync(leases, partition), CancellationToken.None);
                }
            }

            foreach (var partition in leases.Held.ToArray())
            {
                if (!_runs.ContainsKey(partition) && !pending.ContainsKey(partition) && leases.ValidUntilUnixMs(partition) > now && changes?.Surplus.Contains(partition) != true)
                {
                    pending[partition] = Task.Run(() => TakeAsync(js, leases, partition, handler, cancellationToken), CancellationToken.None);
                }
            }
        }
        finally
        {
            _leaseGate.Release();
        }
    }

    private async Task TakeAsync(NatsJSContext js, PartitionLeases leases, int partition, IMessageHandler handler, CancellationToken cancellationToken)
    {
        try
        {
            if (!await AcquireAsync(partition, cancellationToken).ConfigureAwait(false))
            {
                return; // tried again at the next round
            }

            await _leaseGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var validUntil = leases.ValidUntilUnixMs(partition);
                if (validUntil > _time.GetUtcNow().ToUnixTimeMilliseconds())
                {
                    StartRun(js, partition, validUntil, handler);
                    return;
                }
            }
            finally
            {
                _leaseGate.Release();
            }

            // The lease went while the observers worked: they are told it is released again.
            await NotifyReleasedAsync(partition).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task ReleaseAsync(PartitionLeases leases, int partition)
    {
        if (_runs.TryGetValue(partition, out var run))
        {
            await StopRunAsync(run, "released", drain: true).ConfigureAwait(false);
        }

        if (_crash.IsCancellationRequested)
        {
            return;
        }

        await _leaseGate.WaitAsync().ConfigureAwait(false);
        try
        {
            using var timeout = new CancellationTokenSource(leases.SafetyMargin, _time);
            await leases.ReleaseAsync(partition, timeout.Token).ConfigureAwait(false);
            Log.PartitionReleased(_logger, Name, Ownership.InstanceId, partition);
        }
        catch (Exception ex) when (ex is NatsException or OperationCanceledException)
        {
            Log.LeaseRefreshFailed(_logger, Name, Ownership.InstanceId, $"partition {partition} not released ({ex.Message}): it lapses after {_options.LeaseTtl}");
        }
        finally
        {
            _leaseGate.Release();
        }
    }

    /// <summary>Awaits every observer's acquisition; false (the partition is not consumed yet) when one fails.</summary>
    private async Task<bool> AcquireAsync(int partition, CancellationToken cancellationToken)
    {
        if (partition < 0)
        {
            return true; // the whole stream, unpartitioned: no state follows a partition
        }

        try
        {
            foreach (var observer in _observers)
            {
                await observer.PartitionAcquiredAsync(Name, partition, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.ObserverFailed(_logger, Name, partition, "acquisition", ex);
            return false;
        }
    }

    private async Task NotifyReleasedAsync(int partition)
    {
        if (partition < 0)
        {
            return;
        }

        foreach (var observer in _observers)
        {
            try
            {
                await observer.PartitionReleasedAsync(Name, partition, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.ObserverFailed(_logger, Name, partition, "release", ex);
            }
        }
    }

    private void StartRun(NatsJSContext js, int partition, long validUntilUnixMs, IMessageHandler handler)
    {
        var run = new PartitionRun(partition, Interlocked.Increment(ref _generation), validUntilUnixMs, _time);
        run.ValidUntil(validUntilUnixMs, _time.GetUtcNow().ToUnixTimeMilliseconds());
        _runs[partition] = run;
        Ownership.Acquired(partition);
        Log.PartitionAcquired(_logger, Name, Ownership.InstanceId, partition);
        run.Consuming = Task.Run(() => ConsumePartitionAsync(js, run, handler), CancellationToken.None);
    }

    /// <summary>
    /// Stops a partition's consumer; with <paramref name="drain"/>, waits (while the partition is still safely held) for
    /// what it handed over to be acknowledged; what is not by then is abandoned to redelivery. Then the observers are told.
    /// </summary>
    private async Task StopRunAsync(PartitionRun run, string reason, bool drain)
    {
        await run.Stop.CancelAsync().ConfigureAwait(false);
        await run.Consuming.ConfigureAwait(false);
        var drainUntil = _time.GetUtcNow() + _options.LeaseTtl;
        while (drain && run.InFlight > 0 && run.IsValid(_time.GetUtcNow().ToUnixTimeMilliseconds()) && _time.GetUtcNow() < drainUntil)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), _time).ConfigureAwait(false);
        }

        // From here no token of this run is acknowledged: the next owner gets those messages again.
        _runs.TryRemove(new KeyValuePair<int, PartitionRun>(run.Partition, run));
        Ownership.Released(run.Partition, reason);
        Log.PartitionStopped(_logger, Name, Ownership.InstanceId, run.Partition, reason, run.InFlight);
        await NotifyReleasedAsync(run.Partition).ConfigureAwait(false);
    }

    private async Task ConsumePartitionAsync(NatsJSContext js, PartitionRun run, IMessageHandler handler)
    {
        var attempt = 0;
        var token = run.Stop.Token;
        ConsumerConfig? config = null;
        while (!token.IsCancellationRequested)
        {
            try
            {
                config ??= await ConsumerConfigForRunAsync(js, run, token).ConfigureAwait(false);
                var consumer = await js.CreateOrUpdateConsumerAsync(_options.Stream, config, token).ConfigureAwait(false);
                if (_lastError is not null && !_lastError.StartsWith("leases:", StringComparison.Ordinal))
                {
                    _lastError = null;
                }

                attempt = 0;
                Log.Consuming(_logger, Name, _options.Endpoint, _options.Stream, consumer.Info.Name);
                await ConsumeAsync(consumer, run, handler, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (!token.IsCancellationRequested)
            {
                Interlocked.Increment(ref _failedConnects);
                var text = Describe(ex);
                if (text != _lastError)
                {
                    Log.StreamUnavailable(_logger, Name, _options.Endpoint, _options.Stream, text);
                }

                _lastError = text;
                try
                {
                    await Task.Delay(_backoff.Delay(++attempt), _time, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>
    /// The consumer a new run of a partition reads through. Messages an earlier run was handed and did not acknowledge (a
    /// crashed owner's, or this instance's own before its lease lapsed) would come again only after the ack wait (60 s
    /// by default); so a partition's durable consumer that still has any is made again from its first unacknowledged
    /// message, and the new owner gets them at once. Messages acknowledged beyond that point come again too: they are
    /// stored as the same points, and the rules skip what a device's state already reflects. Only a partition's own
    /// consumer is made again (its owner alone reads it); the unpartitioned one may be shared.
    /// </summary>
    private async Task<ConsumerConfig> ConsumerConfigForRunAsync(NatsJSContext js, PartitionRun run, CancellationToken cancellationToken)
    {
        var config = new ConsumerConfig(_partitions.ConsumerFor(_options.Durable, run.Partition))
        {
            FilterSubject = _partitions.FilterFor(run.Partition),
            AckPolicy = ConsumerConfigAckPolicy.Explicit,
            AckWait = _options.AckWait,
            MaxAckPending = _options.MaxAckPending,
            DeliverPolicy = ConsumerConfigDeliverPolicy.All,
        };
        if (run.Partition < 0)
        {
            return config;
        }

        ConsumerInfo info;
        try
        {
            info = (await js.GetConsumerAsync(_options.Stream, config.Name!, cancellationToken).ConfigureAwait(false)).Info;
        }
        catch (NatsJSApiException ex) when (ex.Error.Code == 404)
        {
            return config;
        }

        if (info.NumAckPending > 0)
        {
            var from = (info.AckFloor?.StreamSeq ?? 0) + 1;
            await js.DeleteConsumerAsync(_options.Stream, config.Name!, cancellationToken).ConfigureAwait(false);
            Log.ConsumerRewound(_logger, Name, run.Partition, info.NumAckPending, from);
            config.DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence;
            config.OptStartSeq = from;
            return config;
        }

        // A delivery policy cannot be changed on an existing consumer: keep the one an earlier rewind gave it.
        config.DeliverPolicy = info.Config.DeliverPolicy;
        config.OptStartSeq = info.Config.OptStartSeq;
        return config;
    }

    private async Task ConsumeAsync(INatsJSConsumer consumer, PartitionRun run, IMessageHandler handler, CancellationToken cancellationToken)
    {
        var serializer = NatsRawSerializer<NatsMemoryOwner<byte>>.Default;
        var opts = new NatsJSConsumeOpts { MaxMsgs = Math.Min(1000, _options.MaxAckPending) };
        await foreach (var msg in consumer.ConsumeAsync(serializer, opts, cancellationToken).ConfigureAwait(false))
        {
            using var payload = msg.Data;
            await _one.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
                if (!run.IsValid(now) || cancellationToken.IsCancellationRequested)
                {
                    break; // past the lease's safe end: left for redelivery to the next owner
                }

                if (!JetStreamDelivery.TryRead(msg.Subject, msg.ReplyTo, out var delivery) && run.FirstUnreadableReply())
                {
                    Log.UnreadableReply(_logger, Name, delivery.Subject, delivery.ReplyTo);
                }

                var redelivered = delivery.NumDelivered > 1;
                Interlocked.Increment(ref _received);
                if (redelivered)
                {
                    Interlocked.Increment(ref _redelivered);
                }

                run.HandedOver();
                // The token carries the message's own acknowledgement subject, which stays valid across reconnects, and
                // the run that handed it over, so it is acknowledged only while that run still owns the partition.
                // Received at the time the stream stored it: a redelivery is then the same point, even for a payload
                // that carries no time of its own.
                var received = delivery.TimestampNs > 0 ? delivery.TimestampNs : now * 1_000_000L;
                var message = new InboundMessage(_partitions.TopicOf(delivery.Subject, run.Partition), new(payload.Memory), received, new DeliveryToken(this, delivery.ReplyTo, run.Sequence), redelivered) { Partition = run.Partition, StreamSequence = (long)delivery.StreamSequence };
                await handler.OnMessageAsync(message, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _one.Release();
            }
        }
    }

    public async ValueTask AcknowledgeAsync(ReadOnlyMemory<DeliveryToken> tokens, CancellationToken cancellationToken)
    {
        if (_connection is not { } connection)
        {
            Interlocked.Add(ref _acksWithheld, tokens.Length);
            return;
        }

        for (var i = 0; i < tokens.Length; i++)
        {
            var token = tokens.Span[i];
            if (token.Handle is not string replyTo)
            {
                continue;
            }

            var (partition, generation) = PartitionRun.Unpack(token.Sequence);
            if (!_runs.TryGetValue(partition, out var run) || run.Generation != generation || !run.IsValid(_time.GetUtcNow().ToUnixTimeMilliseconds()))
            {
                Interlocked.Increment(ref _acksWithheld);
                continue;
            }

            try
            {
                await connection.PublishAsync(replyTo, Ack, cancellationToken: cancellationToken).ConfigureAwait(false);
                run.Settled();
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException)
            {
                // The server redelivers after AckWait; the duplicate is stored as the same point.
                Log.AckFailed(_logger, Name, ex.Message);
                return;
            }
        }
    }

    private string Describe(Exception ex) => ex switch
    {
        NatsJSApiException { Error.Code: 404 } => $"stream '{_options.Stream}' does not exist on {_options.Endpoint}: create it with `smartcity nats init` (see README, \"Scale out on NATS JetStream\")",
        NatsJSApiException api => $"JetStream refused: {api.Error.Description} (code {api.Error.Code})",
        NatsNoRespondersException => $"JetStream is not enabled on {_options.Endpoint} (no responder for its API)",
        OperationCanceledException => "timed out",
        _ => ex.Message,
    };

    public async ValueTask DisposeAsync()
    {
        NatsMetrics.Unregister(this);
        _crash.Dispose();
        _one.Dispose();
        _leaseGate.Dispose();
        if (_connection is { } c)
        {
            await c.DisposeAsync().ConfigureAwait(false);
        }
    }
}
