namespace SmartCity.IoT.Influx.DeadLetter;

/// <summary>
/// One thing the gateway could not deliver and will not retry: a line InfluxDB rejected, an undecodable MQTT message.
/// </summary>
/// <param name="Kind">What it is, e.g. <c>influx-rejected</c>, <c>influx-dropped</c>, <c>mqtt-undecodable</c>.</param>
/// <param name="Source">Where it came from or was going: the MQTT topic, the write URL.</param>
/// <param name="Reason">Why, in the server's or decoder's own words.</param>
/// <param name="Payload">The line or payload (UTF-8 text is stored as text, anything else as base64); may be empty.</param>
/// <param name="Status">The HTTP status the server answered, if any.</param>
/// <param name="Count">How many lines or messages this record stands for (more than 1 when they could not be identified one by one).</param>
public readonly record struct DeadLetterEntry(string Kind, string Source, string Reason, ReadOnlyMemory<byte> Payload, int? Status = null, long Count = 1);
