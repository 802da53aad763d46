namespace SmartCity.IoT.Core.DeadLetters;

/// <summary>Configuration section <c>DeadLetter</c>: the one folder where everything the gateway could not deliver is kept.</summary>
public sealed class DeadLetterOptions
{
    public const string SectionName = "DeadLetter";

    /// <summary>Smallest byte budget: room for a few records of the largest kind.</summary>
    public const long MinMaxBytes = 4096;

    /// <summary>Largest payload cut.</summary>
    public const int MaxPayloadBytes = 16 << 20;

    /// <summary>Folder of the daily JSON-lines files <c>deadletter-yyyyMMdd.jsonl</c> (created if missing).</summary>
    public string Path { get; set; } = "data/deadletter";

    /// <summary>Byte budget of the folder: past it the oldest day files are deleted (never the current one).</summary>
    public long MaxBytes { get; set; } = 256L << 20;

    /// <summary>Longest payload kept per record; longer ones are cut and marked truncated (0 keeps no payload).</summary>
    public int PayloadBytes { get; set; } = 64 * 1024;

    /// <summary>What is wrong with these settings, each naming its key and value; empty when they are fine.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Path))
        {
            errors.Add($"{SectionName}:Path is required (a folder for the dead-letter files).");
        }

        if (MaxBytes < MinMaxBytes)
        {
            errors.Add($"{SectionName}:MaxBytes {MaxBytes} must be at least {MinMaxBytes}.");
        }

        if (PayloadBytes is < 0 or > MaxPayloadBytes)
        {
            errors.Add($"{SectionName}:PayloadBytes {PayloadBytes} must be between 0 and {MaxPayloadBytes}.");
        }

        return errors;
    }
}
