namespace SmartCity.IoT.Alerts;

/// <summary>Body of <c>POST /api/silences</c>: matchers plus an end (<see cref="EndsAt"/> or <see cref="Duration"/>, e.g. <c>"02:00:00"</c>).</summary>
internal sealed class SilenceRequest
{
    public List<string> Matchers { get; set; } = [];

    public DateTimeOffset? StartsAt { get; set; }

    public DateTimeOffset? EndsAt { get; set; }

    public TimeSpan? Duration { get; set; }

    public string? CreatedBy { get; set; }

    public string? Comment { get; set; }
}
