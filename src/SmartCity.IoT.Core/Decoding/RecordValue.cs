namespace SmartCity.IoT.Core.Decoding;

/// <summary>One value of a record type: the field it sets (offsets count from the record's first data byte) and the channel it is read on.</summary>
/// <param name="Channel">The channel byte this value is read on, or -1 for any channel (and for lists without channels).</param>
public sealed record RecordValue(int Channel, BinaryField Field);
