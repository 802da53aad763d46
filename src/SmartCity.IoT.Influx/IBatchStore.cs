namespace SmartCity.IoT.Influx;

/// <summary>
/// The one sink the pipeline writes to: a batch of line protocol that must become durable.
/// The pipeline acknowledges the batch's MQTT messages to the broker only after <see cref="StoreAsync"/> completes.
/// </summary>
public interface IBatchStore
{
    /// <summary>
    /// Completes once every line of <paramref name="lines"/> is written to InfluxDB, flushed to the local spool,
    /// or (rejected by the server as malformed) recorded in the dead-letter store. While the spool is full
    /// under the blocking policy it does not complete: that back-pressure is what stops acknowledgements.
    /// <paramref name="lines"/> is only valid until the returned task completes.
    /// </summary>
    ValueTask StoreAsync(ReadOnlyMemory<byte> lines, int lineCount, CancellationToken cancellationToken);
}
