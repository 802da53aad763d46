namespace SmartCity.IoT.Gateway.Status.Pages;

/// <summary>What a page needs from its request: the time it renders at, the antiforgery token for its forms, the path to come back to.</summary>
internal sealed record PageRequest(DateTimeOffset Now, string TokenField, string Token, string PathAndQuery)
{
    /// <summary>A message from the last form (e.g. why a silence was refused), shown once at the top.</summary>
    public string? Notice { get; init; }

    public bool NoticeIsError { get; init; }

    /// <summary>Who is signed in (null: nobody, reads are anonymous), shown with a sign-out button.</summary>
    public string? User { get; init; }
}
