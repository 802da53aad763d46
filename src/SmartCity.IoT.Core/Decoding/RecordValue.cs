namespace SmartCity.IoT.Core.Decoding;

/// <summary>One value of a record type: the field it sets (offsets count from the record's first data byte) and the channel it is read on.</summary>
/// <param name="Channel">The channel byte this value is read on, or -1 for any channel (and for lists without channels).</param>
/// <param name="Instance">
/// When the profile maps one vocabulary field several times (LPP channels 3 and 5 both temperature): the instance tag
/// (<c>channel=3</c>) of the reading this value goes to, kept apart from the message's own reading; null for a plain field.
/// </param>
/// <param name="InstanceKey">The key of that reading within the message (<see cref="Model.ReadingSet.For(long)"/>), equal for values of one instance.</param>
public sealed record RecordValue(int Channel, BinaryField Field, Model.Tag? Instance = null, long InstanceKey = -1);
