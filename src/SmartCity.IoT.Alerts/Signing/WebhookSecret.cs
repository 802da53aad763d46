namespace SmartCity.IoT.Alerts.Signing;

/// <summary>A Standard Webhooks signing secret: <c>whsec_</c> followed by the base64 of 24 to 64 random bytes.</summary>
internal sealed class WebhookSecret
{
    public const string Prefix = "whsec_";

    private WebhookSecret(byte[] key) => Key = key;

    /// <summary>The HMAC key: the base64-decoded part after the prefix.</summary>
    public ReadOnlyMemory<byte> Key { get; }

    public static bool TryParse(string? text, out WebhookSecret? secret, out string? error)
    {
        secret = null;
        if (string.IsNullOrWhiteSpace(text) || !text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            error = $"must start with '{Prefix}' followed by base64 (generate one with: echo whsec_$(openssl rand -base64 32))";
            return false;
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(text[Prefix.Length..]);
        }
        catch (FormatException)
        {
            error = $"the part after '{Prefix}' is not valid base64";
            return false;
        }

        if (key.Length is < 24 or > 64)
        {
            error = $"decodes to {key.Length} bytes; Standard Webhooks requires 24 to 64";
            return false;
        }

        secret = new WebhookSecret(key);
        error = null;
        return true;
    }

    public static WebhookSecret Parse(string text) =>
        TryParse(text, out var s, out var error) ? s! : throw new FormatException($"webhook secret {error}");

    /// <summary>A new random secret (32 bytes).</summary>
    public static string Generate() => Prefix + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}
