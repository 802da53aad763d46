namespace SmartCity.IoT.Core.Decoding.Sparkplug;

/// <summary>Parses and classifies <see cref="SparkplugMessageType"/>.</summary>
public static class SparkplugMessageTypes
{
    public static SparkplugMessageType Parse(ReadOnlySpan<char> level) => level switch
    {
        "NBIRTH" => SparkplugMessageType.NBirth,
        "NDATA" => SparkplugMessageType.NData,
        "NDEATH" => SparkplugMessageType.NDeath,
        "NCMD" => SparkplugMessageType.NCmd,
        "DBIRTH" => SparkplugMessageType.DBirth,
        "DDATA" => SparkplugMessageType.DData,
        "DDEATH" => SparkplugMessageType.DDeath,
        "DCMD" => SparkplugMessageType.DCmd,
        _ => SparkplugMessageType.None,
    };

    /// <summary>The type is about a device (its topic has a device level).</summary>
    public static bool IsDevice(this SparkplugMessageType type) => type is SparkplugMessageType.DBirth or SparkplugMessageType.DData or SparkplugMessageType.DDeath or SparkplugMessageType.DCmd;
}
