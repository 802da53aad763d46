using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Core.Resilience;

namespace SmartCity.IoT.Nats;

/// <summary>
/// A JetStream stream as a source of the gateway (<see cref="IMessageSource"/>): one durable pull consumer per owned
/// partition, explicit acknowledgement once a message's batch is durable, at most <see cref="NatsOptions.MaxAckPending"/>
/// unacknowledged per consumer, redelivery by the server after <see cref="NatsOptions.AckWait"/>. The stream keeps every
/// reading until it is acknowledged, so no local spool is needed for what it holds. Messages of all owned partitions
/// reach the handler one at a time, as the pipeline expects.
/// </summary>
public sealed class NatsJetStreamSource : IMessageSource, IAsyncDisposable
{
    private static readonly byte[] Ack = "+ACK"u8.ToArray();

    private readonly NatsOptions _options;
    private readonly ILogger<NatsJetStreamSource> _logger;
    private readonly TimeProvider _time;
    private readonly NatsPartitions _partitions;
    private readonly Backoff _backoff;
    private readonly SemaphoreSlim _one = new(1, 1);
    private NatsConnection? _connection;
    private long _received;
    private long _redelivered;
    private long _failedConnects;
    private string? _lastError;

    public NatsJetStreamSource(NatsOptions options, ILogger<NatsJetStreamSource> logger, TimeProvider time)
    {
        _options = options;
        _logger = logger;
        _time = time;
        _partitions = new NatsPartitions(options);
        _backoff = new Backoff(options.ReconnectMinDelay, options.ReconnectMaxDelay, jitter: 0.5);
    }

    public string Name => _options.Name;

    public TopicSyntax Syntax => TopicSyntax.Subject;

    /// <summary>The partitions this instance consumes (<c>-1</c>: the whole stream).</summary>
    public IReadOnlyList<int> OwnedPartitions => _partitions.Owned;

    public SourceHealth Health => new(
        Name,
        _options.Url,
        _connection is { ConnectionState: NatsConnectionState.Open },
        0,
        _lastError,
        _partitions.Owned.Select(_partitions.FilterFor).ToArray())
    {
        Protocol = "NATS JetStream",
        Delivery = "at least once (acknowledged after the durable write)",
        Received = Interlocked.Read(ref _received),
        FailedConnects = Interlocked.Read(ref _failedConnects),
    };

    /// <summary>Messages the server delivered again because an earlier delivery was not acknowledged in time.</summary>
    public long Redelivered => Interlocked.Read(ref _redelivered);

    public async Task RunAsync(SourceSubscription subscription, IMessageHandler handler, CancellationToken cancellationToken)
    {
        // The connection reconnects by itself; what is retried here is reaching the stream and its consumers.
        await using var connection = new NatsConnection(new NatsOpts { Url = _options.Url, Name = $"smartcity-{Name}" });
        _connection = connection;
        var js = new NatsJSContext(connection);
        var attempt = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var consumers = new List<(INatsJSConsumer Consumer, int Partition)>();
                foreach (var partition in _partitions.Owned)
                {
                    var config = new ConsumerConfig(_partitions.ConsumerFor(_options.Durable, partition))
                    {
                        FilterSubject = _partitions.FilterFor(partition),
                        AckPolicy = ConsumerConfigAckPolicy.Explicit,
                        AckWait = _options.AckWait,
                        MaxAckPending = _options.MaxAckPending,
                        DeliverPolicy = ConsumerConfigDeliverPolicy.All,
                    };
                    consumers.Add((await js.CreateOrUpdateConsumerAsync(_options.Stream, config, cancellationToken).ConfigureAwait(false), partition));
                }

                _lastError = null;
                attempt = 0;
                Log.Consuming(_logger, Name, _options.Url, _options.Stream, string.Join(", ", consumers.Select(c => c.Consumer.Info.Name)));
                await Task.WhenAll(consumers.Select(c => ConsumeAsync(c.Consumer, c.Partition, handler, cancellationToken))).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _failedConnects);
                var text = Describe(ex);
                if (text != _lastError)
                {
                    Log.StreamUnavailable(_logger, Name, _options.Url, _options.Stream, text);
                }

                _lastError = text;
                await Task.Delay(_backoff.Delay(++attempt), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ConsumeAsync(INatsJSConsumer consumer, int partition, IMessageHandler handler, CancellationToken cancellationToken)
    {
        var serializer = NatsRawSerializer<NatsMemoryOwner<byte>>.Default;
        var opts = new NatsJSConsumeOpts { MaxMsgs = Math.Min(1000, _options.MaxAckPending) };
        await foreach (var msg in consumer.ConsumeAsync(serializer, opts, cancellationToken).ConfigureAwait(false))
        {
            using var payload = msg.Data;
            var redelivered = msg.Metadata is { NumDelivered: > 1 };
            Interlocked.Increment(ref _received);
            if (redelivered)
            {
                Interlocked.Increment(ref _redelivered);
            }

            var received = _time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000L;
            // The token carries the message's own acknowledgement subject, which stays valid across reconnects.
            var message = new InboundMessage(_partitions.TopicOf(msg.Subject, partition), new(payload.Memory), received, new DeliveryToken(this, msg.ReplyTo, partition), redelivered) { Partition = partition, StreamSequence = (long)(msg.Metadata?.Sequence.Stream ?? 0) };
            await _one.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
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
            return;
        }

        for (var i = 0; i < tokens.Length; i++)
        {
            if (tokens.Span[i].Handle is not string replyTo)
            {
                continue;
            }

            try
            {
                await connection.PublishAsync(replyTo, Ack, cancellationToken: cancellationToken).ConfigureAwait(false);
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
        NatsJSApiException { Error.Code: 404 } => $"stream '{_options.Stream}' does not exist on {_options.Url}: create it (see README, \"Scale out on NATS JetStream\")",
        NatsJSApiException api => $"JetStream refused: {api.Error.Description} (code {api.Error.Code})",
        NatsNoRespondersException => $"JetStream is not enabled on {_options.Url} (no responder for its API)",
        _ => ex.Message,
    };

    public async ValueTask DisposeAsync()
    {
        _one.Dispose();
        if (_connection is { } c)
        {
            await c.DisposeAsync().ConfigureAwait(false);
        }
    }
}
