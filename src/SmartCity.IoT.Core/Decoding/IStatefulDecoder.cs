namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// A decoder whose outcome depends on earlier messages (Sparkplug B's BIRTH alias tables). The state lives in a store the
/// decoder owns; <see cref="ResetState"/> forgets it (samples run on a clean state, and so does the gateway after them).
/// </summary>
public interface IStatefulDecoder
{
    /// <summary>Taken while a caller runs a sequence of messages that must not interleave with others (samples).</summary>
    object StateLock { get; }

    void ResetState();
}
