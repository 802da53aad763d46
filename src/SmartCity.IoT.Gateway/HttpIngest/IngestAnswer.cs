namespace SmartCity.IoT.Gateway.HttpIngest;

/// <summary>The JSON body of every ingest answer: what happened, and for an error what to change.</summary>
internal sealed record IngestAnswer(string Status, string? Error = null);
