namespace SmartCity.IoT.Core.Pipeline;

/// <summary>
/// Where batches of readings (and alert history) go, as InfluxDB line protocol. The pipeline acknowledges a batch's
/// messages only after every registered sink's <see cref="WriteAsync"/> has completed.
/// </summary>
public interface ITelemetrySink
{
    /// <summary>A short name for logs and the status page.</summary>
    string Name { get; }

    /// <summary>
    /// Completes once every line is durable in the sink (written, spooled, or recorded as rejected). While the sink cannot
    /// take more it does not complete: that back-pressure is what stops acknowledgements. <paramref name="lines"/> is only
    /// valid until the task completes. An exception means nothing is durable: the pipeline retries the batch.
    /// </summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> lines, int lineCount, CancellationToken cancellationToken);
}
