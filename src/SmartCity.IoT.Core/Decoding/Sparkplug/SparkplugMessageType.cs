namespace SmartCity.IoT.Core.Decoding.Sparkplug;

/// <summary>The message type level of a Sparkplug B topic (<c>spBv1.0/&lt;group&gt;/&lt;type&gt;/&lt;edge&gt;[/&lt;device&gt;]</c>).</summary>
public enum SparkplugMessageType
{
    None,
    NBirth,
    NData,
    NDeath,
    NCmd,
    DBirth,
    DData,
    DDeath,
    DCmd,
}
