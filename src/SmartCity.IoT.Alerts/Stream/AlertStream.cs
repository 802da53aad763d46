using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace SmartCity.IoT.Alerts.Stream;

/// <summary>The replicated alert stream, created (or brought to the configured settings) on first use.</summary>
internal sealed class AlertStream
{
    private readonly INatsConnection _connection;
    private readonly AlertStreamOptions _options;
    private readonly SemaphoreSlim _one = new(1, 1);
    private NatsJSContext? _ready;

    public AlertStream(INatsConnection connection, AlertStreamOptions options)
    {
        _connection = connection;
        _options = options;
        Subjects = new AlertSubjects(options.AlertsStream);
    }

    public AlertSubjects Subjects { get; }

    public AlertStreamOptions Options => _options;

    /// <summary>
    /// Publishes <paramref name="data"/> with <paramref name="id"/> as <c>Nats-Msg-Id</c> and waits for the stream's
    /// acknowledgement: true when stored, false when the stream already had a message with that id (dropped as a
    /// duplicate). Throws when it was not stored.
    /// </summary>
    public async ValueTask<bool> PublishAsync(string subject, byte[] data, string id, NatsHeaders? headers, CancellationToken cancellationToken)
    {
        var js = await ReadyAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var ack = await js.PublishAsync(subject, data, NatsRawSerializer<byte[]>.Default, new NatsJSPubOpts { MsgId = id }, headers, cancellationToken).ConfigureAwait(false);
            ack.EnsureSuccess();
            return !ack.Duplicate;
        }
        catch (NatsJSDuplicateMessageException)
        {
            return false;
        }
    }

    /// <summary>The JetStream context once the stream exists; retried by the caller while the server is unreachable.</summary>
    public async ValueTask<NatsJSContext> ReadyAsync(CancellationToken cancellationToken)
    {
        if (_ready is { } ready)
        {
            return ready;
        }

        await _one.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ready is null)
            {
                var js = new NatsJSContext(_connection);
                await js.CreateOrUpdateStreamAsync(new StreamConfig(_options.AlertsStream, [Subjects.All])
                {
                    NumReplicas = _options.AlertsReplicas,
                    DuplicateWindow = _options.AlertsDuplicateWindow,
                    MaxAge = _options.AlertsRetention,
                    Storage = StreamConfigStorage.File,
                }, cancellationToken).ConfigureAwait(false);
                _ready = js;
            }

            return _ready;
        }
        finally
        {
            _one.Release();
        }
    }
}
