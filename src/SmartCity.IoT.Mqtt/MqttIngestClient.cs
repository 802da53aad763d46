using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Core.Resilience;
using SmartCity.IoT.Mqtt.Transport;

namespace SmartCity.IoT.Mqtt;

/// <summary>
/// The gateway's MQTT source (<see cref="IMessageSource"/>), an MQTT 5 subscriber: persistent session (clean start off, session expiry set), QoS 1 with manual
/// acknowledgements, optional shared subscription, reconnect with capped exponential backoff and jitter.
/// Acknowledgements of messages received on an earlier connection are skipped: the broker redelivers those,
/// and an old packet id could otherwise acknowledge a different, newer message.
/// </summary>
public sealed class MqttIngestClient : IMessageSource, IAsyncDisposable
{
    private readonly MqttOptions _options;
    private readonly ILogger<MqttIngestClient> _logger;
    private readonly TimeProvider _time;
    private readonly IMqttClient _client;
    private readonly SemaphoreSlim _disconnected = new(0, 1);
    private readonly BufferedSocketStreamProvider _transport;
    private readonly Backoff _backoff;
    private IMessageHandler? _handler;
    private CancellationToken _stopping;
    private int _epoch;
    private long _reconnects;

    public MqttIngestClient(MqttOptions options, ILogger<MqttIngestClient> logger, TimeProvider time)
    {
        _options = options;
        _logger = logger;
        _time = time;
        _transport = new BufferedSocketStreamProvider(options.SocketBufferBytes);
        // Jitter over half of each delay, so a fleet of gateways does not reconnect in step.
        _backoff = new Backoff(options.ReconnectMinDelay, options.ReconnectMaxDelay, jitter: 0.5);
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnReceivedAsync;
        _client.DisconnectedAsync += OnDisconnectedAsync;
    }

    public string Name => "mqtt";

    public TopicSyntax Syntax => TopicSyntax.Mqtt;

    public SourceHealth Health => new(Name, $"{_options.EffectiveHost}:{_options.EffectivePort}", IsConnected, Reconnects, LastError, SubscribedFilters);

    public bool IsConnected => _client.IsConnected;

    /// <summary>Increments on every successful connect; messages carry the epoch they arrived in.</summary>
    public int Epoch => Volatile.Read(ref _epoch);

    public long Reconnects => Interlocked.Read(ref _reconnects);

    public string? LastError { get; private set; }

    /// <summary>Packets MQTTnet wrote on the current connection, and the socket writes they took (acknowledgements leave in bulk).</summary>
    public (long Packets, long SocketWrites) Writes => _transport.Current is { } s ? (s.WriteCalls, s.SocketWrites) : (0, 0);

    public IReadOnlyList<string> SubscribedFilters { get; private set; } = [];

    /// <summary>Whether the broker still had our session (subscriptions, queued messages) at the last connect.</summary>
    public bool SessionPresent { get; private set; }

    /// <summary>Connects, subscribes and stays connected until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(SourceSubscription subscription, IMessageHandler handler, CancellationToken cancellationToken)
    {
        _stopping = cancellationToken;
        _handler = handler;
        var effective = EffectiveFilters(subscription.FiltersFor(TopicSyntax.Mqtt));
        var attempt = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!_client.IsConnected)
            {
                try
                {
                    var result = await _client.ConnectAsync(BuildClientOptions(), cancellationToken).ConfigureAwait(false);
                    if (result.ResultCode != MqttClientConnectResultCode.Success)
                    {
                        throw new InvalidOperationException($"broker refused the connection: {result.ResultCode} {result.ReasonString}");
                    }

                    SessionPresent = result.IsSessionPresent;
                    Interlocked.Increment(ref _epoch);
                    await SubscribeAsync(effective, cancellationToken).ConfigureAwait(false);
                    if (attempt > 0 || _epoch > 1)
                    {
                        Interlocked.Increment(ref _reconnects);
                    }

                    attempt = 0;
                    LastError = null;
                    Log.Connected(_logger, _options.EffectiveHost, _options.EffectivePort, result.IsSessionPresent, effective.Count);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    attempt++;
                    var delay = _backoff.Delay(attempt);
                    LastError = ex.Message;
                    Log.ConnectFailed(_logger, _options.EffectiveHost, _options.EffectivePort, attempt, delay, ex.Message);
                    await DelayAsync(delay, cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }

            // Wake on disconnect, or every few seconds to double-check the connection state.
            try
            {
                await _disconnected.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        if (_client.IsConnected)
        {
            // A normal disconnect keeps the session: unacknowledged messages wait at the broker for the next start.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.DisconnectFailed(_logger, ex.Message);
            }
        }
    }

    /// <summary>Acknowledges QoS 1 messages once their readings are durable. Skipped for those whose connection is gone.</summary>
    public async ValueTask AcknowledgeAsync(ReadOnlyMemory<DeliveryToken> tokens, CancellationToken cancellationToken)
    {
        for (var i = 0; i < tokens.Length; i++)
        {
            var token = tokens.Span[i];
            await AcknowledgeAsync((MqttApplicationMessageReceivedEventArgs)token.Handle!, (int)token.Sequence, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask AcknowledgeAsync(MqttApplicationMessageReceivedEventArgs message, int epoch, CancellationToken cancellationToken)
    {
        if (message.ApplicationMessage.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce)
        {
            return;
        }

        if (epoch != Volatile.Read(ref _epoch) || !_client.IsConnected)
        {
            return;
        }

        try
        {
            await message.AcknowledgeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The broker redelivers unacknowledged messages on the next connection; the duplicate is harmless.
            Log.AckFailed(_logger, message.ApplicationMessage.Topic, ex.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _client.ApplicationMessageReceivedAsync -= OnReceivedAsync;
        _client.DisconnectedAsync -= OnDisconnectedAsync;
        _client.Dispose();
        _disconnected.Dispose();
        await Task.CompletedTask.ConfigureAwait(false);
    }

    private async Task OnReceivedAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        if (e.ApplicationMessage.QualityOfServiceLevel != MqttQualityOfServiceLevel.AtMostOnce)
        {
            e.AutoAcknowledge = false;
        }

        try
        {
            var m = e.ApplicationMessage;
            var received = _time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000L;
            var message = new InboundMessage(m.Topic, m.Payload, received, new DeliveryToken(this, e, Volatile.Read(ref _epoch)), redelivered: m.Dup);
            await _handler!.OnMessageAsync(message, _stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down: leave the message unacknowledged for the next start.
        }
        catch (Exception ex)
        {
            // Left unacknowledged on purpose: the broker redelivers it after reconnect.
            Log.HandlerFailed(_logger, e.ApplicationMessage.Topic, ex);
        }
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs e)
    {
        if (e.ClientWasConnected && !_stopping.IsCancellationRequested)
        {
            LastError = e.Exception?.Message ?? e.Reason.ToString();
            Log.Disconnected(_logger, e.Reason.ToString(), e.Exception?.Message);
        }

        if (_disconnected.CurrentCount == 0)
        {
            try
            {
                _disconnected.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }

        return Task.CompletedTask;
    }

    private async Task SubscribeAsync(IReadOnlyList<string> filters, CancellationToken cancellationToken)
    {
        var qos = _options.QualityOfService == 0 ? MqttQualityOfServiceLevel.AtMostOnce : MqttQualityOfServiceLevel.AtLeastOnce;
        var builder = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in filters)
        {
            builder.WithTopicFilter(f => f.WithTopic(filter).WithQualityOfServiceLevel(qos));
        }

        var result = await _client.SubscribeAsync(builder.Build(), cancellationToken).ConfigureAwait(false);
        foreach (var item in result.Items)
        {
            if ((int)item.ResultCode > 2)
            {
                throw new InvalidOperationException($"broker refused subscription '{item.TopicFilter.Topic}': {item.ResultCode}");
            }
        }

        SubscribedFilters = filters;
    }

    private List<string> EffectiveFilters(IReadOnlyList<string> fromProfiles)
    {
        var source = _options.Topics.Length > 0 ? _options.Topics : fromProfiles;
        var result = new List<string>(source.Count);
        foreach (var f in source)
        {
            var filter = string.IsNullOrEmpty(_options.SharedGroup) ? f : $"$share/{_options.SharedGroup}/{f}";
            if (!result.Contains(filter))
            {
                result.Add(filter);
            }
        }

        return result;
    }

    private MqttClientOptions BuildClientOptions()
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.EffectiveHost, _options.EffectivePort)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(_options.ClientId)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)_options.SessionExpiry.TotalSeconds)
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithReceiveMaximum((ushort)_options.ReceiveMaximum)
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (!string.IsNullOrEmpty(_options.Username))
        {
            builder.WithCredentials(_options.Username, _options.Password);
        }

        if (_options.UseTls && !_options.UsesEmbeddedBroker)
        {
            builder.WithTlsOptions(tls =>
            {
                tls.UseTls();
                tls.WithSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13);
                if (_options.AllowUntrustedCertificates)
                {
                    tls.WithCertificateValidationHandler(_ => true);
                }
            });
        }

        var options = builder.Build();
        _transport.AttachTo(options);
        return options;
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
