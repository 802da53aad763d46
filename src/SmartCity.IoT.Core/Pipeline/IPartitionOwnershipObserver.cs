namespace SmartCity.IoT.Core.Pipeline;

/// <summary>
/// Told when a partitioned source takes over or gives up a partition, so the state that follows its devices (rule state)
/// moves with it. Sources resolve every registered observer and await each call.
/// </summary>
public interface IPartitionOwnershipObserver
{
    /// <summary>Awaited after the partition is owned and before its first message is handed to the pipeline.</summary>
    Task PartitionAcquiredAsync(string source, int partition, CancellationToken cancellationToken);

    /// <summary>
    /// Awaited after the partition's consumption has stopped and before its ownership is given up (or at once when it
    /// was lost): no more of its messages reach the pipeline until it is acquired again.
    /// </summary>
    Task PartitionReleasedAsync(string source, int partition, CancellationToken cancellationToken);
}
