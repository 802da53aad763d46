namespace SmartCity.IoT.Devices.Simulation;

/// <summary>One message to publish.</summary>
public readonly record struct SimulatedMessage(string Topic, byte[] Payload);
