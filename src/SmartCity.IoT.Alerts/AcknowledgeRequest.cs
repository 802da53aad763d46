namespace SmartCity.IoT.Alerts;

/// <summary>Body of <c>POST /api/alerts/{fingerprint}/ack</c> (optional).</summary>
internal sealed class AcknowledgeRequest
{
    public string? By { get; set; }

    public string? Comment { get; set; }
}
