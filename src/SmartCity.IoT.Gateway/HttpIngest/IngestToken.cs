using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace SmartCity.IoT.Gateway.HttpIngest;

/// <summary>
/// A source's shared secret, read once at start from its environment variable or file (never from configuration), and
/// checked in constant time against the header the sender is configured to put it in.
/// </summary>
internal sealed class IngestToken
{
    private readonly byte[] _secret;

    private IngestToken(byte[] secret, string header)
    {
        _secret = secret;
        Header = header;
    }

    public string Header { get; }

    public bool IsAuthorization => Header.Equals("Authorization", StringComparison.OrdinalIgnoreCase);

    /// <summary>The token of <paramref name="options"/>, or null with <paramref name="error"/> saying what to set.</summary>
    public static IngestToken? TryLoad(HttpIngestSourceOptions options, string where, out string? error)
    {
        error = null;
        string? text;
        if (!string.IsNullOrEmpty(options.TokenEnv))
        {
            text = Environment.GetEnvironmentVariable(options.TokenEnv);
            if (string.IsNullOrWhiteSpace(text))
            {
                error = $"{where}:TokenEnv: the environment variable '{options.TokenEnv}' is not set or empty; put the source's token there";
                return null;
            }
        }
        else if (!string.IsNullOrEmpty(options.TokenFile))
        {
            try
            {
                text = File.ReadAllText(options.TokenFile);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                error = $"{where}:TokenFile: cannot read '{options.TokenFile}' ({ex.Message})";
                return null;
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                error = $"{where}:TokenFile: '{options.TokenFile}' is empty; put the source's token in it";
                return null;
            }
        }
        else
        {
            error = $"{where}: set TokenEnv (an environment variable) or TokenFile (a secret file) holding the token the network server sends; a source without a token would take anyone's readings";
            return null;
        }

        var secret = text.Trim();
        if (secret.Length < 16)
        {
            error = $"{where}: the token is {secret.Length} characters long; use at least 16 (e.g. openssl rand -hex 32)";
            return null;
        }

        return new IngestToken(Encoding.UTF8.GetBytes(secret), options.Header);
    }

    /// <summary>Whether the request carries the token (<c>Authorization: Bearer …</c>, or the token alone in the header).</summary>
    public bool Accepts(IHeaderDictionary headers)
    {
        var value = headers[Header].ToString().AsSpan().Trim();
        if (IsAuthorization && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            value = value["Bearer ".Length..].Trim();
        }

        if (value.IsEmpty || value.Length > 1024)
        {
            return false;
        }

        Span<byte> given = stackalloc byte[Encoding.UTF8.GetMaxByteCount(value.Length)];
        var n = Encoding.UTF8.GetBytes(value, given);
        return CryptographicOperations.FixedTimeEquals(given[..n], _secret);
    }
}
