using Jint;

namespace SmartCity.IoT.Devices.Codecs;

/// <summary>
/// The time limit of one entry into a codec's engine, on the sandbox's <see cref="TimeProvider"/> (Jint's own
/// <c>TimeoutInterval</c> reads the wall clock). Jint re-arms it at every top-level entry (<see cref="Reset"/>), so
/// readying an engine and calling <c>decodeUplink</c> each have their own <see cref="Limit"/>.
/// </summary>
internal sealed class CodecTimeLimit(TimeProvider time) : Constraint
{
    private long _started;

    public TimeSpan Limit { get; set; }

    /// <summary>How far into its entry the last cut-off came.</summary>
    public TimeSpan CutOffAfter { get; private set; }

    // A clock only moves forward: checking every few statements only delays the cut-off by those statements.
    public override bool IsAmortizable => true;

    public override void Check()
    {
        var elapsed = time.GetElapsedTime(_started);
        if (elapsed >= Limit)
        {
            CutOffAfter = elapsed;
            throw new TimeoutException();
        }
    }

    public override void Reset() => _started = time.GetTimestamp();
}
