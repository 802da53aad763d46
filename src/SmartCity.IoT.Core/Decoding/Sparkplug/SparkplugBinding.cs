namespace SmartCity.IoT.Core.Decoding.Sparkplug;

/// <summary>What a BIRTH said about one metric: the profile field it maps to (-1 for none) and its datatype.</summary>
public readonly record struct SparkplugBinding(int FieldIndex, SparkplugDataType DataType);
