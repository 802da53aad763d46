namespace SmartCity.IoT.Mqtt;

/// <summary>The broker password of a connection: <see cref="MqttOptions.Password"/>, or the content of <see cref="MqttOptions.PasswordFile"/>.</summary>
internal static class MqttPassword
{
    public static string? Of(MqttOptions options) =>
        string.IsNullOrWhiteSpace(options.PasswordFile) ? options.Password : Read(options.PasswordFile);

    /// <summary>What is wrong with the password file, as the end of a sentence naming it; null when it is usable.</summary>
    public static string? Problem(string path)
    {
        if (!File.Exists(path))
        {
            return "does not exist";
        }

        try
        {
            return Read(path).Length == 0 ? "is empty" : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot be read ({e.Message}): let the gateway's user read it";
        }
    }

    // Secret files written by editors and `echo` end with a newline that is not part of the password.
    private static string Read(string path) => File.ReadAllText(path).TrimEnd('\r', '\n');
}
