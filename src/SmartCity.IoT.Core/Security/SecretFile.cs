namespace SmartCity.IoT.Core.Security;

/// <summary>
/// Reads a secret kept in a file of its own (a container or systemd secret, <c>/run/secrets/…</c>), so it stays out of the
/// configuration file and the environment. Surrounding whitespace (the trailing newline of <c>echo</c>) is not part of it.
/// </summary>
public static class SecretFile
{
    /// <summary>Refuses anything larger: a secret is short, a large file is the wrong file.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>The secret in <paramref name="path"/>, or false with an error naming <paramref name="setting"/> and the path (never the content).</summary>
    public static bool TryRead(string path, string setting, out string secret, out string? error)
    {
        ArgumentNullException.ThrowIfNull(path);
        secret = "";
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                error = $"{setting}: the file '{path}' does not exist";
                return false;
            }

            if (info.Length > MaxBytes)
            {
                error = $"{setting}: the file '{path}' is {info.Length} bytes; a secret file holds only the secret (at most {MaxBytes} bytes)";
                return false;
            }

            secret = File.ReadAllText(path).Trim();
            if (secret.Length == 0)
            {
                error = $"{setting}: the file '{path}' is empty";
                return false;
            }

            error = null;
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            error = $"{setting}: cannot read '{path}': {ex.Message}";
            return false;
        }
    }
}
