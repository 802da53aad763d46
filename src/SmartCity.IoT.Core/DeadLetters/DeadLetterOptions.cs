using System.ComponentModel.DataAnnotations;

namespace SmartCity.IoT.Core.DeadLetters;

/// <summary>Configuration section <c>DeadLetter</c>: the one folder where everything the gateway could not deliver is kept.</summary>
public sealed class DeadLetterOptions
{
    public const string SectionName = "DeadLetter";

    /// <summary>Folder of the daily JSON-lines files <c>deadletter-yyyyMMdd.jsonl</c> (created if missing).</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "DeadLetter:Path is required (a folder for the dead-letter files).")]
    public string Path { get; set; } = "data/deadletter";

    /// <summary>Byte budget of the folder: past it the oldest day files are deleted (never the current one).</summary>
    [Range(typeof(long), "1048576", "9223372036854775807", ErrorMessage = "DeadLetter:MaxBytes must be at least 1048576.")]
    public long MaxBytes { get; set; } = 256L << 20;

    /// <summary>Longest payload kept per record; longer ones are cut and marked truncated (0 keeps no payload).</summary>
    [Range(0, 16 << 20, ErrorMessage = "DeadLetter:PayloadBytes must be between 0 and 16777216.")]
    public int PayloadBytes { get; set; } = 64 * 1024;
}
