namespace SmartCity.IoT.Gateway.Places;

/// <summary>The <c>Buildings</c> section: where the building model is.</summary>
internal sealed class BuildingsOptions
{
    public const string SectionName = "Buildings";

    /// <summary>
    /// The model file (relative paths as every gateway path: the working directory, else the repository). Empty = no
    /// model. A missing file at this path also means no model (logged), so a box without one still starts.
    /// </summary>
    public string Path { get; set; } = "config/buildings.yaml";

    /// <summary>How long the file must stay unchanged before a reload (editors write in several steps).</summary>
    public TimeSpan ReloadDelay { get; set; } = TimeSpan.FromMilliseconds(500);
}
