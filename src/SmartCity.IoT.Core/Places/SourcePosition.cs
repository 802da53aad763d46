namespace SmartCity.IoT.Core.Places;

/// <summary>A 1-based line and column in the model file, for messages.</summary>
public readonly record struct SourcePosition(int Line, int Column);
