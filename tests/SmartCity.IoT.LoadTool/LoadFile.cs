using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace SmartCity.IoT.LoadTool;

/// <summary>
/// A recorded load: frames of [u16 topic length][topic UTF-8][u32 payload length][payload], in arrival order.
/// Binary payloads round-trip unchanged, which mosquitto_pub -l (one text line per message) cannot do.
/// </summary>
internal static class LoadFile
{
    public static void Append(Stream stream, string topic, ReadOnlySequence<byte> payload)
    {
        Span<byte> header = stackalloc byte[4];
        var topicBytes = Encoding.UTF8.GetBytes(topic);
        BinaryPrimitives.WriteUInt16LittleEndian(header, checked((ushort)topicBytes.Length));
        stream.Write(header[..2]);
        stream.Write(topicBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(header, checked((uint)payload.Length));
        stream.Write(header);
        foreach (var segment in payload)
        {
            stream.Write(segment.Span);
        }
    }

    public static List<(string Topic, byte[] Payload)> ReadAll(string path, long max)
    {
        var messages = new List<(string, byte[])>();
        using var stream = new BufferedStream(File.OpenRead(path), 1 << 20);
        Span<byte> header = stackalloc byte[4];
        while (messages.Count < max)
        {
            if (stream.Read(header[..2]) == 0)
            {
                break;
            }

            var topic = new byte[BinaryPrimitives.ReadUInt16LittleEndian(header)];
            stream.ReadExactly(topic);
            stream.ReadExactly(header);
            var payload = new byte[BinaryPrimitives.ReadUInt32LittleEndian(header)];
            stream.ReadExactly(payload);
            messages.Add((Encoding.UTF8.GetString(topic), payload));
        }

        return messages;
    }
}
