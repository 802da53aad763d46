namespace SmartCity.IoT.Influx.Http;

/// <summary>The result of writing one batch: what happened, why, and how many lines were refused as bad.</summary>
internal readonly record struct WriteOutcome(WriteOutcomeKind Kind, string? Error = null, string? Alarm = null, long RejectedLines = 0)
{
    public static WriteOutcome Written(long rejected = 0) => new(WriteOutcomeKind.Written, RejectedLines: rejected);

    public bool IsWritten => Kind == WriteOutcomeKind.Written;
}
