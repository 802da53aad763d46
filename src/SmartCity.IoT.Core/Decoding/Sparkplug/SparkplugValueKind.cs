namespace SmartCity.IoT.Core.Decoding.Sparkplug;

/// <summary>Which member of a metric's value oneof was on the wire.</summary>
public enum SparkplugValueKind : byte
{
    None,
    Int,
    Long,
    Float,
    Double,
    Boolean,
    String,

    /// <summary>bytes, data set, template or extension: carried but not decoded.</summary>
    Other,
}
