using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Core.Resilience;
using SmartCity.IoT.Core.Tls;
using SmartCity.IoT.Mqtt.Transport;

namespace SmartCity.IoT.Mqtt;

/// <summary>
/// One MQTT connection as a source of the gateway (<see cref="IMessageSource"/>): a persistent session (clean start or
/// clean session off, stable client id), QoS 1 with manual acknowledgements, optional shared subscription, reconnect with
/// capped exponential backoff and jitter. Speaks MQTT 5 or 3.1.1 (<c>auto</c> tries 5 and falls back when the broker
/// refuses it), over TCP or WebSockets. Acknowledgements of messages received on an earlier connection are skipped: the
/// broker redelivers those, and an old packet id could otherwise acknowledge a different, newer message.
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
    private readonly MqttProtocolSetting _setting;
    private readonly string _settings;
    private readonly ServerCertificateCheck? _certificateCheck;
    private readonly string? _password;
    private IMessageHandler? _handler;
    private CancellationToken _stopping;
    private int _epoch;
    private long _reconnects;
    private long _failedConnects;
    private long _atMostOnce;
    private long _atLeastOnce;
    private long _retained;
    private MqttProtocolVersion? _decided;
    private MqttProtocolVersion? _inUse;
    private string? _lastLogged;
    private bool _limitsLogged;

    /// <param name="settings">Where this connection's settings live (<c>Mqtt</c> or <c>Mqtt:Sources:N</c>), for messages.</param>
    public MqttIngestClient(MqttOptions options, ILogger<MqttIngestClient> logger, TimeProvider time, string settings = MqttOptions.SectionName)
    {
        _options = options;
        _logger = logger;
        _time = time;
        _settings = settings;
        MqttProtocolSettings.TryParse(options.ProtocolVersion, out _setting);
        _password = MqttPassword.Of(options);
        if (options.UsesTls)
        {
            var errors = new List<string>();
            var material = TlsMaterial.Load(options.Tls, $"{settings}:Tls", time.GetUtcNow(), errors);
            if (errors.Count > 0)
            {
                // Options validation reports these at start; this only guards a client built by hand.
                throw new InvalidOperationException(string.Join(" ", errors));
            }

            _certificateCheck = new ServerCertificateCheck(material, time);
        }

        _transport = new BufferedSocketStreamProvider(options.SocketBufferBytes);
        // Jitter over half of each delay, so a fleet of gateways does not reconnect in step.
        _backoff = new Backoff(options.ReconnectMinDelay, options.ReconnectMaxDelay, jitter: 0.5);
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnReceivedAsync;
        _client.DisconnectedAsync += OnDisconnectedAsync;
        MqttMetrics.Register(this);
    }

    public string Name => _options.Name;

    public TopicSyntax Syntax => TopicSyntax.Mqtt;

    public MqttOptions Options => _options;

    public SourceHealth Health => new(Name, _options.Endpoint, IsConnected, Reconnects, LastError, SubscribedFilters)
    {
        Protocol = ProtocolText,
        Delivery = AtLeastOnce
            ? "at least once (QoS 1): acknowledged after the durable write, redelivered after a crash"
            : "at most once (QoS 0): messages sent while the gateway is away or in flight at a crash are lost; counted as they arrive",
        Received = ReceivedAtMostOnce + ReceivedAtLeastOnce,
        ReceivedAtMostOnce = ReceivedAtMostOnce,
        Retained = ReceivedRetained,
        FailedConnects = FailedConnects,
    };

    public bool IsConnected => _client.IsConnected;

    /// <summary>Whether the source subscribes at QoS 1 (at least once) rather than QoS 0 (at most once).</summary>
    public bool AtLeastOnce => _options.QualityOfService >= 1;

    /// <summary>The MQTT version of the current (or last) connection: <c>5</c>, <c>3.1.1</c>, or the setting before the first connect.</summary>
    public string ProtocolText => (_inUse ?? _decided) switch
    {
        MqttProtocolVersion.V500 => "5",
        MqttProtocolVersion.V311 => "3.1.1",
        _ => _setting switch { MqttProtocolSetting.V500 => "5", MqttProtocolSetting.V311 => "3.1.1", _ => "auto" },
    };

    /// <summary>Increments on every successful connect; messages carry the epoch they arrived in.</summary>
    public int Epoch => Volatile.Read(ref _epoch);

    public long Reconnects => Interlocked.Read(ref _reconnects);

    public long FailedConnects => Interlocked.Read(ref _failedConnects);

    public long ReceivedAtMostOnce => Interlocked.Read(ref _atMostOnce);

    public long ReceivedAtLeastOnce => Interlocked.Read(ref _atLeastOnce);

    /// <summary>Messages with the retain flag: the broker's stored copies sent on subscribe, not live publishes.</summary>
    public long ReceivedRetained => Interlocked.Read(ref _retained);

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
        var effective = EffectiveFilters(subscription.FiltersFor(TopicSyntax.Mqtt, Name));
        if (!AtLeastOnce)
        {
            Log.AtMostOnce(_logger, Name);
        }

        if (_options.UsesTls && _options.Tls.InsecureSkipVerify)
        {
            Log.InsecureTls(_logger, Name, $"{_settings}:Tls:InsecureSkipVerify", _options.Endpoint);
        }

        var attempt = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!_client.IsConnected)
            {
                ConnectProblem? problem;
                try
                {
                    problem = await ConnectAsync(cancellationToken).ConfigureAwait(false);
                    if (problem is null)
                    {
                        Interlocked.Increment(ref _epoch);
                        problem = await SubscribeAsync(effective, cancellationToken).ConfigureAwait(false);
                        if (attempt > 0 || _epoch > 1)
                        {
                            Interlocked.Increment(ref _reconnects);
                        }

                        attempt = 0;
                        LastError = problem?.Text;
                        _lastLogged = problem?.Text;
                        Log.Connected(_logger, Name, _options.Endpoint, ProtocolText, SessionPresent, SubscribedFilters.Count);
                        if (problem is not null)
                        {
                            Log.SubscriptionProblem(_logger, Name, problem.Text);
                        }

                        if (_inUse == MqttProtocolVersion.V311 && !_limitsLogged)
                        {
                            _limitsLogged = true;
                            Log.V311Limits(_logger, Name, _options.Endpoint, _options.ClientId);
                        }
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    problem = new ConnectProblem(ConnectProblemKind.Refused, ex.Message);
                }

                if (problem is not null && !_client.IsConnected)
                {
                    attempt++;
                    Interlocked.Increment(ref _failedConnects);
                    var delay = _backoff.Delay(attempt);
                    LastError = problem.Text;
                    if (problem.Text != _lastLogged)
                    {
                        _lastLogged = problem.Text;
                        Log.ConnectFailed(_logger, Name, problem.Text, delay);
                    }
                    else
                    {
                        Log.ConnectFailedAgain(_logger, Name, attempt, problem.Text);
                    }

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
        MqttMetrics.Unregister(this);
        _client.ApplicationMessageReceivedAsync -= OnReceivedAsync;
        _client.DisconnectedAsync -= OnDisconnectedAsync;
        _client.Dispose();
        _disconnected.Dispose();
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>One connect: the configured version, or under <c>auto</c> MQTT 5 and, when the broker refuses it, 3.1.1 at once.</summary>
    private async Task<ConnectProblem?> ConnectAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var probing = _setting == MqttProtocolSetting.Auto && _decided is null;
        var first = _setting switch
        {
            MqttProtocolSetting.V311 => MqttProtocolVersion.V311,
            MqttProtocolSetting.V500 => MqttProtocolVersion.V500,
            _ => _decided ?? MqttProtocolVersion.V500,
        };

        var problem = await ConnectOnceAsync(first, bothTried: false, cancellationToken).ConfigureAwait(false);
        if (problem is { Kind: ConnectProblemKind.ProtocolVersion } && _setting == MqttProtocolSetting.Auto && first == MqttProtocolVersion.V500)
        {
            var refusal = problem;
            var refusedAfter = _time.GetElapsedTime(started).TotalMilliseconds;
            problem = await ConnectOnceAsync(MqttProtocolVersion.V311, bothTried: true, cancellationToken).ConfigureAwait(false);
            if (problem is null)
            {
                _decided = MqttProtocolVersion.V311;
                Log.AutoChose(_logger, Name, "3.1.1", _options.Endpoint, _time.GetElapsedTime(started).TotalMilliseconds, $" (MQTT 5 refused after {refusedAfter:0} ms: {refusal.Text})");
            }

            return problem;
        }

        if (problem is null && probing)
        {
            _decided = first;
            Log.AutoChose(_logger, Name, "5", _options.Endpoint, _time.GetElapsedTime(started).TotalMilliseconds, "");
        }
        else if (problem is { Kind: ConnectProblemKind.ProtocolVersion } && _setting == MqttProtocolSetting.Auto)
        {
            // The broker changed under us (3.1.1 chosen, now refused): probe again next time.
            _decided = null;
        }

        return problem;
    }

    private async Task<ConnectProblem?> ConnectOnceAsync(MqttProtocolVersion version, bool bothTried, CancellationToken cancellationToken)
    {
        MqttClientConnectResult result;
        _certificateCheck?.Reset();
        try
        {
            result = await _client.ConnectAsync(BuildClientOptions(version), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            if (_certificateCheck?.LastFailure is { } rejected)
            {
                return new ConnectProblem(ConnectProblemKind.Tls, $"TLS with {_options.Endpoint} failed: {rejected}");
            }

            return ConnectErrors.FromException(ex, version, _options.Endpoint, bothTried, TlsContext());
        }

        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            return ConnectErrors.FromResult(result, version, _options.Endpoint, _options.Username);
        }

        _inUse = version;
        SessionPresent = result.IsSessionPresent;
        return null;
    }

    private async Task OnReceivedAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var m = e.ApplicationMessage;
        if (m.QualityOfServiceLevel != MqttQualityOfServiceLevel.AtMostOnce)
        {
            e.AutoAcknowledge = false;
            Interlocked.Increment(ref _atLeastOnce);
        }
        else
        {
            Interlocked.Increment(ref _atMostOnce);
        }

        if (m.Retain)
        {
            Interlocked.Increment(ref _retained);
        }

        try
        {
            var received = _time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000L;
            // Brokers set the retain flag only on the stored copy sent because of a subscribe (MQTT 3.1.1 §3.3.1.3, and
            // MQTT 5 without Retain As Published), so it marks a replay, never a live publish. DUP marks a redelivery.
            var message = new InboundMessage(m.Topic, m.Payload, received, new DeliveryToken(this, e, Volatile.Read(ref _epoch)), redelivered: m.Dup) { IsReplay = m.Retain };
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
            _lastLogged = null;
            Log.Disconnected(_logger, Name, e.Reason.ToString(), e.Exception?.Message);
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

    /// <summary>Subscribes; a refused filter is reported in plain words and the granted ones are kept.</summary>
    private async Task<ConnectProblem?> SubscribeAsync(IReadOnlyList<SubscriptionFilter> filters, CancellationToken cancellationToken)
    {
        var qos = AtLeastOnce ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.AtMostOnce;
        var v5 = _inUse == MqttProtocolVersion.V500;
        var builder = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in filters)
        {
            builder.WithTopicFilter(f =>
            {
                f.WithTopic(filter.Filter).WithQualityOfServiceLevel(qos);
                if (v5)
                {
                    // MQTT 5 lets us ask the broker not to replay what no profile wants; 3.1.1 drops them by the retain flag.
                    f.WithRetainHandling(filter.WantsRetained ? MqttRetainHandling.SendAtSubscribe : MqttRetainHandling.DoNotSendOnSubscribe);
                }
            });
        }

        var result = await _client.SubscribeAsync(builder.Build(), cancellationToken).ConfigureAwait(false);
        var granted = new List<string>(filters.Count);
        ConnectProblem? problem = null;
        foreach (var item in result.Items)
        {
            if ((int)item.ResultCode > 2)
            {
                problem ??= ConnectErrors.FromSubscribe(item, _inUse ?? MqttProtocolVersion.V500, _options.Endpoint);
            }
            else
            {
                granted.Add(item.TopicFilter.Topic);
                if (qos == MqttQualityOfServiceLevel.AtLeastOnce && item.ResultCode == MqttClientSubscribeResultCode.GrantedQoS0)
                {
                    problem ??= new ConnectProblem(ConnectProblemKind.Subscription, $"{_options.Endpoint} granted only QoS 0 for '{item.TopicFilter.Topic}': messages on it are at most once (lost while the gateway is away)");
                }
            }
        }

        SubscribedFilters = granted;
        return problem;
    }

    private List<SubscriptionFilter> EffectiveFilters(IReadOnlyList<SubscriptionFilter> fromProfiles)
    {
        var source = _options.Topics.Length > 0 ? _options.Topics.Select(t => new SubscriptionFilter(t, WantsRetained: fromProfiles.Any(p => p.WantsRetained))).ToList() : fromProfiles;
        var result = new List<SubscriptionFilter>(source.Count);
        foreach (var f in source)
        {
            var filter = string.IsNullOrEmpty(_options.SharedGroup) ? f.Filter : $"$share/{_options.SharedGroup}/{f.Filter}";
            if (!result.Exists(r => r.Filter == filter))
            {
                result.Add(f with { Filter = filter });
            }
        }

        return result;
    }

    private MqttClientOptions BuildClientOptions(MqttProtocolVersion version)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithProtocolVersion(version)
            .WithClientId(_options.ClientId)
            .WithCleanStart(false) // under 3.1.1 this is clean session off: the broker keeps the session
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (_options.UsesWebSocket)
        {
            builder.WithWebSocketServer(ws => ws.WithUri(_options.Host));
        }
        else
        {
            builder.WithTcpServer(_options.EffectiveHost, _options.EffectivePort);
        }

        if (version == MqttProtocolVersion.V500)
        {
            builder.WithSessionExpiryInterval((uint)_options.SessionExpiry.TotalSeconds)
                .WithReceiveMaximum((ushort)_options.ReceiveMaximum);
        }

        if (!string.IsNullOrEmpty(_options.Username))
        {
            builder.WithCredentials(_options.Username, _password);
        }

        if (_certificateCheck is { } check)
        {
            var host = ServerCertificateCheck.HostOf(_options.UsesWebSocket ? _options.Host : _options.EffectiveHost);
            builder.WithTlsOptions(t =>
            {
                t.UseTls();
                t.WithSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13);
                // The check below rebuilds the chain with the configured trust; the platform's revocation fetch would only add a delay.
                t.WithRevocationMode(X509RevocationMode.NoCheck);
                t.WithCertificateValidationHandler(e => check.Validate(e.Certificate, e.Chain, host));
                if (!string.IsNullOrWhiteSpace(_options.Tls.ServerName))
                {
                    t.WithTargetHost(_options.Tls.ServerName);
                }

                if (check.Material.ClientCertificate is { } certificate)
                {
                    t.WithClientCertificates([certificate]);
                }
            });
        }

        var options = builder.Build();
        if (!_options.UsesWebSocket)
        {
            _transport.AttachTo(options);
        }

        return options;
    }

    /// <summary>What a TLS failure the broker caused should point at; null without TLS.</summary>
    private TlsConnectContext? TlsContext() => _certificateCheck is { } check
        ? new TlsConnectContext($"{_settings}:Tls", check.Material.ClientCertificate is not null, check.Material.Options.ClientCertificateFile, check.Passed)
        : null;

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
