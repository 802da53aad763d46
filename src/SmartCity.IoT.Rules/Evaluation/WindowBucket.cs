namespace SmartCity.IoT.Rules.Evaluation;

/// <summary>
/// The samples of one time bucket of a bucketed window (see <see cref="WindowStore"/>): a bucket covers
/// [k × width, (k + 1) × width) of receive time and keeps what every window function needs, so none has to keep the
/// samples themselves: count, sum, min, max, the first and last sample (delta, rate) and the counter increase within it.
/// </summary>
internal struct WindowBucket
{
    public long FirstTime;
    public long LastTime;
    public double First;
    public double Last;
    public double Sum;
    public double Min;
    public double Max;

    /// <summary>How much a counter grew between this bucket's samples, a step down counting as a reset (see <see cref="WindowStore.Increase"/>).</summary>
    public double Increase;

    public int Count;

    /// <summary>The size of one bucket in memory (what the per-device bound of a bucketed window is made of).</summary>
    public const int Bytes = 72;

    public static WindowBucket Of(long timeNs, double value) => new()
    {
        FirstTime = timeNs,
        LastTime = timeNs,
        First = value,
        Last = value,
        Sum = value,
        Min = value,
        Max = value,
        Count = 1,
    };

    public void Add(long timeNs, double value)
    {
        Increase += value >= Last ? value - Last : value;
        Last = value;
        LastTime = timeNs;
        Sum += value;
        Count++;
        if (value < Min)
        {
            Min = value;
        }

        if (value > Max)
        {
            Max = value;
        }
    }
}
