using System.Security.Cryptography;
using System.Text;

namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>
/// A salted, slow hash of an endpoint's full URL: the outbox stores it (with the redacted URL) to notice that the URL changed,
/// without keeping a credential that the URL may carry. Slow (PBKDF2) because a user name and password in the URL can be weak.
/// </summary>
internal static class UrlFingerprint
{
    private const string Scheme = "pbkdf2-sha256";
    private const int Iterations = 20_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static string Compute(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return string.Join('$', Scheme, Iterations.ToString(System.Globalization.CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(Hash(url, salt, Iterations)));
    }

    /// <summary>Whether <paramref name="stored"/> (from <see cref="Compute"/>) is the fingerprint of <paramref name="url"/>; false for anything unreadable.</summary>
    public static bool Matches(string stored, Uri url)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(url);
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var iterations) || iterations is < 1 or > 10_000_000)
        {
            return false;
        }

        try
        {
            return CryptographicOperations.FixedTimeEquals(Hash(url, Convert.FromBase64String(parts[2]), iterations), Convert.FromBase64String(parts[3]));
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static byte[] Hash(Uri url, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(url.AbsoluteUri), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
}
