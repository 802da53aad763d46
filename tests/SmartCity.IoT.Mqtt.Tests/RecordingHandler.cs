using System.Collections.Concurrent;
using SmartCity.IoT.Core.Pipeline;

namespace SmartCity.IoT.Mqtt.Tests;

/// <summary>Records what a source delivers; acknowledges at once unless told not to (then the broker must redeliver).</summary>
internal sealed class RecordingHandler(bool acknowledge = true) : IMessageHandler
{
    private readonly SemaphoreSlim _arrived = new(0);

    public ConcurrentQueue<(string Topic, string Payload, bool Replay)> Received { get; } = new();

    public async ValueTask OnMessageAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        Received.Enqueue((message.Topic, System.Text.Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(message.Payload)), message.IsReplay));
        _arrived.Release();
        if (acknowledge)
        {
            await message.Token.Source.AcknowledgeAsync(new[] { message.Token }, cancellationToken);
        }
    }

    /// <summary>Waits for a matching message, looking again at each arrival.</summary>
    public async Task WaitForAsync(Func<(string Topic, string Payload, bool Replay), bool> match, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!Received.Any(match))
        {
            try
            {
                await _arrived.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"timed out waiting for {what}; received: {string.Join(", ", Received.Select(r => r.Topic + "=" + r.Payload))}");
            }
        }
    }
}
