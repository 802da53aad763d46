namespace SmartCity.IoT.Core.Pipeline;

/// <summary>
/// What a source needs to acknowledge one message once its batch is durable. Opaque to the pipeline: only
/// <see cref="Source"/> reads <see cref="Handle"/> and <see cref="Sequence"/> (for MQTT, the received message and the
/// connection it came on). A struct, so carrying it costs no allocation per message.
/// </summary>
public readonly record struct DeliveryToken(IMessageSource Source, object? Handle, long Sequence);
