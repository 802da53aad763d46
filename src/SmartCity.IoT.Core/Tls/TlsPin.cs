using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SmartCity.IoT.Core.Tls;

/// <summary>SHA-256 pins of a certificate: of its SubjectPublicKeyInfo and of the whole certificate.</summary>
public static class TlsPin
{
    private const string Prefix = "sha256/";

    /// <summary>Reads 64 hex digits (colons allowed) or base64 of 32 bytes, optionally after <c>sha256/</c>.</summary>
    public static bool TryParse(string? text, out byte[] pin)
    {
        pin = [];
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var value = text.Trim();
        if (value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            value = value[Prefix.Length..];
        }

        var hex = value.Replace(":", "", StringComparison.Ordinal);
        if (hex.Length == 64 && hex.All(Uri.IsHexDigit))
        {
            pin = Convert.FromHexString(hex);
            return true;
        }

        var bytes = new byte[32];
        if (Convert.TryFromBase64String(value, bytes, out var written) && written == 32)
        {
            pin = bytes;
            return true;
        }

        return false;
    }

    /// <summary>SHA-256 of the certificate's SubjectPublicKeyInfo: stays the same when the certificate is renewed with its key.</summary>
    public static byte[] OfPublicKey(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo());
    }

    /// <summary>SHA-256 of the whole certificate (its DER encoding), as <c>openssl x509 -fingerprint -sha256</c> shows it.</summary>
    public static byte[] OfCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return SHA256.HashData(certificate.RawData);
    }

    /// <summary>How a pin is shown in messages: <c>sha256/BASE64</c>.</summary>
    public static string Format(byte[] pin) => Prefix + Convert.ToBase64String(pin);

    internal static string Hex(byte[] pin) => Convert.ToHexString(pin).ToLower(CultureInfo.InvariantCulture);
}
