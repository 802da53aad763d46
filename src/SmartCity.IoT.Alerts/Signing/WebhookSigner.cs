using System.Security.Cryptography;
using System.Text;

namespace SmartCity.IoT.Alerts.Signing;

/// <summary>
/// Standard Webhooks v1 signatures: HMAC-SHA256 over <c>{webhook-id}.{webhook-timestamp}.{body}</c>, base64, prefixed <c>v1,</c>;
/// one signature per secret, space-separated, so a receiver can rotate secrets without a gap.
/// </summary>
internal static class WebhookSigner
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    public static string Sign(string webhookId, long unixSeconds, ReadOnlySpan<byte> body, IReadOnlyList<WebhookSecret> secrets)
    {
        ArgumentNullException.ThrowIfNull(webhookId);
        ArgumentNullException.ThrowIfNull(secrets);
        var prefix = Encoding.UTF8.GetBytes(webhookId + "." + unixSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));

        var sb = new StringBuilder();
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        foreach (var secret in secrets)
        {
            HMACSHA256.HashData(secret.Key.Span, content, mac);
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append("v1,").Append(Convert.ToBase64String(mac));
        }

        return sb.ToString();
    }
}
