using System.Buffers;
using MQTTnet;
using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>Line protocol for a run of messages plus the acknowledgements owed once it is durable. Reused: no allocation in steady state.</summary>
internal sealed class Batch
{
    public Batch(int initialBytes, int initialMessages)
    {
        Buffer = new ArrayBufferWriter<byte>(initialBytes);
        Acks = new List<PendingAck>(initialMessages);
    }

    public ArrayBufferWriter<byte> Buffer { get; }

    public List<PendingAck> Acks { get; }

    /// <summary>Alert transitions raised while this batch was open; handed to delivery once the batch is durable.</summary>
    public List<Alert> Alerts { get; } = [];

    public int Lines { get; set; }

    public long OpenedAtTicks { get; set; }

    public bool IsEmpty => Lines == 0 && Acks.Count == 0 && Alerts.Count == 0;

    public void Reset()
    {
        Buffer.ResetWrittenCount();
        Acks.Clear();
        Alerts.Clear();
        Lines = 0;
        OpenedAtTicks = 0;
    }
}

/// <summary>A message whose broker acknowledgement waits for its batch, with the connection it arrived on.</summary>
internal readonly record struct PendingAck(MqttApplicationMessageReceivedEventArgs Message, int Epoch);
