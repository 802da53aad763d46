namespace SmartCity.IoT.Core.Model;

/// <summary>A tag of a reading. The value usually slices the MQTT topic, so taking it allocates nothing.</summary>
public readonly record struct Tag(string Key, ReadOnlyMemory<char> Value);
