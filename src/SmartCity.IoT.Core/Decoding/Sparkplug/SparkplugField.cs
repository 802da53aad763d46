namespace SmartCity.IoT.Core.Decoding.Sparkplug;

/// <summary>A profile field fed by the Sparkplug metric named <see cref="Metric"/> (as its BIRTH names it).</summary>
public sealed record SparkplugField(string Metric, FieldMapping Mapping);
