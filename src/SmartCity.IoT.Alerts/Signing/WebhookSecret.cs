namespace SmartCity.IoT.Alerts.Signing;

/// <summary>A Standard Webhooks signing secret: <c>whsec_</c> followed by the base64 of 24 to 64 random bytes.</summary>
internal sealed class WebhookSecret
{
    public const string Prefix = "whsec_";

    /// <summary>Fewer different byte values than this in a key: low entropy, refused.</summary>
    public const int MinDistinctBytes = 8;

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

        // Random keys of 24 bytes or more practically always hold 15+ different byte values; a key with a handful is typed or
        // padded (all zeros, "AAAA…", a short pattern repeated) and easy to guess.
        var distinct = DistinctBytes(key);
        if (distinct < MinDistinctBytes)
        {
            error = distinct == 1
                ? $"decodes to {key.Length} times the same byte (0x{key[0]:x2}): not a random key; generate one with: echo whsec_$(openssl rand -base64 32)"
                : $"decodes to only {distinct} different byte values in {key.Length} bytes: not a random key; generate one with: echo whsec_$(openssl rand -base64 32)";
            return false;
        }

        secret = new WebhookSecret(key);
        error = null;
        return true;
    }

    public static WebhookSecret Parse(string text) =>
        TryParse(text, out var s, out var error) ? s! : throw new FormatException($"webhook secret {error}");

    private static int DistinctBytes(byte[] key)
    {
        Span<bool> seen = stackalloc bool[256];
        var count = 0;
        foreach (var b in key)
        {
            if (!seen[b])
            {
                seen[b] = true;
                count++;
            }
        }

        return count;
    }

    /// <summary>A new random secret (32 bytes).</summary>
    public static string Generate() => Prefix + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}
