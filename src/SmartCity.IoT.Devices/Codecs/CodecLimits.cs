namespace SmartCity.IoT.Devices.Codecs;

/// <summary>What one call of a JavaScript codec may use before the sandbox cuts it off.</summary>
internal sealed record CodecLimits
{
    public static readonly CodecLimits Default = new();

    /// <summary>How long one <c>decodeUplink</c> call may run.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long the codec's top level may run when an engine is readied for the next message, and a warm-up call when
    /// the profile loads: both happen outside the per-call <see cref="Timeout"/>.
    /// </summary>
    public TimeSpan PrepareTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Bytes the call may allocate.</summary>
    public long MemoryBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Nested function calls.</summary>
    public int Recursion { get; init; } = 64;

    public int Statements { get; init; } = 1_000_000;

    /// <summary>Characters of the JSON the codec's result serializes to.</summary>
    public int OutputChars { get; init; } = 16 * 1024;
}
