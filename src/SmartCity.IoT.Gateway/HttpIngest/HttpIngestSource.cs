using System.Threading.Channels;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using SmartCity.IoT.Core.Pipeline;

namespace SmartCity.IoT.Gateway.HttpIngest;

/// <summary>
/// One HTTP ingest source (<c>HttpIngest:Sources:N</c>) behind the pipeline's source door: requests queue their uplinks
/// here, <see cref="RunAsync"/> hands them to the pipeline one at a time, and <see cref="AcknowledgeAsync"/> (called once
/// their batch is durable, as for MQTT) releases the waiting requests with their 2xx.
/// </summary>
internal sealed partial class HttpIngestSource : IMessageSource, IDisposable
{
    private readonly HttpIngestSourceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<PendingUplink> _queue;
    private readonly UplinkDedupe _dedupe;
    private readonly object _gate = new();
    private readonly long[] _outcomes = new long[Enum.GetValues<IngestOutcome>().Length];
    private readonly long[] _refusals = new long[Enum.GetValues<RefusalReason>().Length];
    private readonly long _startedAt;
    private readonly TimeSpan _dedupeWindow;
    private IReadOnlyList<string> _filters = [];
    private long _received;
    private long _sequence;
    private volatile bool _running;

    public HttpIngestSource(HttpIngestSourceOptions options, HttpIngestOptions ingest, UplinkParser parser, IngestToken token, TimeProvider time, ILogger logger)
    {
        _options = options;
        Parser = parser;
        Token = token;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<PendingUplink>(new BoundedChannelOptions(ingest.MaxQueued) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _dedupe = new UplinkDedupe(ingest.DedupeWindow, ingest.DedupeCapacity, time);
        _dedupeWindow = ingest.DedupeWindow;
        _startedAt = time.GetTimestamp();
        HttpIngestMetrics.Register(this);
        RateLimiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.RateBurst,
            // Refilled ten times a second where the rate allows, so a burst cannot take a whole second's worth at once.
            TokensPerPeriod = options.RatePerSecond >= 10 ? options.RatePerSecond / 10 : options.RatePerSecond,
            ReplenishmentPeriod = options.RatePerSecond >= 10 ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    public string Name => _options.Name;

    public TimeProvider Time => _time;

    public TopicSyntax Syntax => TopicSyntax.Mqtt;

    /// <summary>Each request waits for its uplink to be durable, so its batch is written at the next tick.</summary>
    public bool AwaitsAcknowledgement => true;

    public string Path => $"{HttpIngestOptions.PathPrefix}/{Name}";

    public HttpIngestSourceOptions Options => _options;

    public UplinkParser Parser { get; }

    public IngestToken Token { get; }

    public RateLimiter RateLimiter { get; }

    public bool IsRunning => _running;

    public long Received => Interlocked.Read(ref _received);

    public long Refused => Interlocked.Read(ref _outcomes[(int)IngestOutcome.Refused]);

    public SourceHealth Health => new(Name, "POST " + Path, _running, 0, _running ? null : "not started", _filters)
    {
        Protocol = null,
        Delivery = Parser.Format == UplinkFormat.ChirpStack
            ? "HTTP from ChirpStack: answered 2xx once durable; ChirpStack does not retry, so a refused uplink is lost"
            : "HTTP from The Things Stack: answered 2xx once durable; TTS tries once by default, so a refused uplink is lost",
        Received = Received,
        Refused = Refused,
    };

    public long Outcome(IngestOutcome outcome) => Interlocked.Read(ref _outcomes[(int)outcome]);

    public long Refusals(RefusalReason reason) => Interlocked.Read(ref _refusals[(int)reason]);

    public void Count(IngestOutcome outcome) => Interlocked.Increment(ref _outcomes[(int)outcome]);

    public void CountRefusal(RefusalReason reason, string detail)
    {
        Count(IngestOutcome.Refused);
        if (Interlocked.Increment(ref _refusals[(int)reason]) is 1 or 100 or 10_000)
        {
            LogRefused(_logger, Name, reason, detail, Refused);
        }
    }

    /// <summary>
    /// Queues an uplink (taking its <paramref name="buffer"/>, a pooled array, unless refused or a duplicate), or joins a
    /// repeat to the first post of the same uplink.
    /// </summary>
    public SubmitResult Submit(in ParsedUplink uplink, byte[] buffer, int length)
    {
        if (!_running)
        {
            return SubmitResult.Refuse(RefusalReason.Stopping);
        }

        var receivedNs = (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
        lock (_gate)
        {
            if (uplink.DedupeKey is { } key && _dedupe.TryGet(key, out var first))
            {
                return new SubmitResult(first.Durable, Duplicate: true, null);
            }

            var pending = new PendingUplink(uplink.Topic!, buffer, length, receivedNs, uplink.DedupeKey);
            if (!_queue.Writer.TryWrite(pending))
            {
                return SubmitResult.Refuse(RefusalReason.QueueFull);
            }

            Interlocked.Increment(ref _received);
            if (uplink.DedupeKey is { } newKey)
            {
                _dedupe.Add(newKey, pending);
            }

            return new SubmitResult(pending.Durable, Duplicate: false, null);
        }
    }

    public async Task RunAsync(SourceSubscription subscription, IMessageHandler handler, CancellationToken cancellationToken)
    {
        _filters = subscription.FiltersFor(Syntax, Name).Select(f => f.Filter).ToArray();
        _running = true;
        LogListening(_logger, Name, Path, Parser.Format, _filters.Count);
        try
        {
            await foreach (var pending in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                // After a restart the ids taken before are forgotten: until the window has passed, an uplink may be a
                // repeat of one the rule state already reflects, so it is flagged as MQTT flags a redelivery.
                var redelivered = _time.GetElapsedTime(_startedAt) < _dedupeWindow;
                var message = new InboundMessage(pending.Topic, pending.Payload, pending.ReceivedUnixNs, new DeliveryToken(this, pending, Interlocked.Increment(ref _sequence)), redelivered);
                try
                {
                    await handler.OnMessageAsync(message, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    Drop(pending);
                    throw;
                }
                finally
                {
                    pending.ReleaseBody();
                }
            }
        }
        finally
        {
            _running = false;
            while (_queue.Reader.TryRead(out var left))
            {
                left.ReleaseBody();
                Drop(left);
            }
        }
    }

    public ValueTask AcknowledgeAsync(ReadOnlyMemory<DeliveryToken> tokens, CancellationToken cancellationToken)
    {
        foreach (var token in tokens.Span)
        {
            if (token.Handle is PendingUplink pending)
            {
                pending.Complete(durable: true);
            }
        }

        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        HttpIngestMetrics.Unregister(this);
        RateLimiter.Dispose();
    }

    private void Drop(PendingUplink pending)
    {
        if (pending.Complete(durable: false) && pending.Key is { } key)
        {
            lock (_gate)
            {
                _dedupe.Forget(key, pending);
            }
        }
    }

    [LoggerMessage(EventId = 1900, Level = LogLevel.Information, Message = "HTTP ingest source {Source} takes {Format} uplinks at POST {Path} ({Filters} topic filters of its profiles)")]
    private static partial void LogListening(ILogger logger, string source, string path, UplinkFormat format, int filters);

    [LoggerMessage(EventId = 1901, Level = LogLevel.Warning, Message = "HTTP ingest source {Source} answered 503 ({Reason}: {Detail}); {Total} refused since start, lost unless the network server retries")]
    private static partial void LogRefused(ILogger logger, string source, RefusalReason reason, string detail, long total);
}
