namespace SmartCity.IoT.Gateway.Security;

/// <summary>Reads a secret kept in a file of its own (a Docker or systemd credential, say): the content without surrounding whitespace.</summary>
internal static class SecretFile
{
    public static string Read(string path, string setting)
    {
        try
        {
            var value = File.ReadAllText(path).Trim();
            return value.Length > 0 ? value : throw new InvalidOperationException($"{setting}: the file '{path}' is empty");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{setting}: cannot read '{path}': {ex.Message}", ex);
        }
    }
}
