namespace SmartCity.IoT.Influx.Http;

/// <summary>One HTTP request's result; <see cref="Status"/> is 0 when no response came (network error or timeout).</summary>
internal sealed record HttpAttempt(int Status, string Body, TimeSpan? RetryAfter, string? ServerVersion, string? Error)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>Worth retrying: no response, 408, 429 or any 5xx.</summary>
    public bool IsTransient => Status is 0 or 408 or 429 or >= 500;

    public string Describe() => Status == 0 ? Error ?? "no response" : $"HTTP {Status}: {Shorten(Body)}";

    public static string Shorten(string text) => text.Length <= 500 ? text.Trim() : string.Concat(text.AsSpan(0, 500), "…");
}
