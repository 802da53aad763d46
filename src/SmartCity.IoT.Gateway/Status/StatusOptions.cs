namespace SmartCity.IoT.Gateway.Status;

/// <summary>Section <c>Status</c>: how the status page groups devices into places and how much history it keeps for charts.</summary>
internal sealed class StatusOptions
{
    public const string SectionName = "Status";

    /// <summary>The device tags that make the building tree, outermost first (a device without a tag stops at the level above).</summary>
    public string[] Hierarchy { get; set; } = ["building", "floor", "zone"];

    /// <summary>Fields whose average each place shows, when its devices report them.</summary>
    public string[] KeyFields { get; set; } = ["temperature", "humidity", "co2", "people_count"];

    /// <summary>A device not heard from for this long counts as silent.</summary>
    public TimeSpan SilentAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>About how many devices one page of the building view holds (whole buildings per page).</summary>
    public int DevicesPerPage { get; set; } = 500;

    /// <summary>One history point per field per interval (the latest reading in it).</summary>
    public TimeSpan HistoryInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Points kept per field: with the interval, how far back device charts reach (180 × 1 min = 3 h).</summary>
    public int HistoryPoints { get; set; } = 180;

    /// <summary>Devices with a history; later ones have none (their page says so). Bounds the memory with <see cref="HistoryPoints"/>.</summary>
    public int HistoryMaxDevices { get; set; } = 10_000;

    /// <summary>How often an open floor view refreshes its zones' colours (in place, without reloading the page).</summary>
    public TimeSpan FloorRefresh { get; set; } = TimeSpan.FromSeconds(5);
}
