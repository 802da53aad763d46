namespace SmartCity.IoT.Devices.Samples;

/// <summary>A message a sample needs decoded before its own (a BIRTH before a DATA).</summary>
internal sealed record SampleMessage(string Topic, byte[] Payload, long ReceivedUnixNs);
