namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>The outbox file cannot be used by this version: its schema is newer than any this code knows. The message names the file and both versions.</summary>
internal sealed class OutboxSchemaException : Exception
{
    public OutboxSchemaException(string path, int found, int supported)
        : base($"The alert outbox {path} has schema version {found}, but this version of SmartCity.IoT understands versions up to {supported}: "
            + "the file was written by a newer release. Run that release, or set Alerts:OutboxPath to another file (this file was left unchanged).")
    {
        Path = path;
        Found = found;
        Supported = supported;
    }

    public string Path { get; }

    public int Found { get; }

    public int Supported { get; }
}
