namespace SmartCity.IoT.Core.Decoding.Sparkplug;

/// <summary>The state of one edge node: its NBIRTH's table, its devices' DBIRTH tables, bdSeq and the next seq expected.</summary>
public sealed class SparkplugEdgeNode
{
    public SparkplugMetricTable? Table { get; set; }

    public Dictionary<string, SparkplugMetricTable> Devices { get; } = new(StringComparer.Ordinal);

    /// <summary>The bdSeq of the current NBIRTH, or -1 when it carried none.</summary>
    public long BirthSequence { get; set; } = -1;

    /// <summary>The seq the next NDATA/DBIRTH/DDATA/DDEATH should carry, or -1 before an NBIRTH.</summary>
    public int NextSeq { get; set; } = -1;
}
