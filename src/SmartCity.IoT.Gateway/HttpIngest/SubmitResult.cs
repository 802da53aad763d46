namespace SmartCity.IoT.Gateway.HttpIngest;

/// <summary>What <see cref="HttpIngestSource.Submit"/> did with an uplink: queued (or joined to its first post, <see cref="Duplicate"/>), or refused.</summary>
internal readonly record struct SubmitResult(Task<bool>? Durable, bool Duplicate, RefusalReason? Refused)
{
    public static SubmitResult Refuse(RefusalReason reason) => new(null, false, reason);
}
