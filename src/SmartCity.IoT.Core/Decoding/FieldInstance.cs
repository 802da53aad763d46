namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// One instance of a vocabulary field in a message (<c>instance: { probe: 1 }</c>): its values go to a reading of their
/// own with the tag <see cref="Key"/>=<see cref="Value"/>, kept apart from the other instances' by the rule engine.
/// </summary>
/// <param name="Ordinal">Tells the decoder's instances apart within a message (the key of <c>ReadingSet.For</c>).</param>
public sealed record FieldInstance(string Key, string Value, int Ordinal)
{
    public ReadOnlyMemory<char> ValueMemory { get; } = Value.AsMemory();

    public override string ToString() => Key + "=" + Value;
}
