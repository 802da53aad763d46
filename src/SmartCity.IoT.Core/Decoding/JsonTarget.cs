namespace SmartCity.IoT.Core.Decoding;

/// <summary>One use of a JSON value: its kind and, for fields and tags, the index into the decoder's list.</summary>
internal readonly record struct JsonTarget(JsonTargetKind Kind, int Index);
