namespace SmartCity.IoT.Devices.Codecs;

internal enum CodecOutcomeKind
{
    /// <summary>The codec returned <c>{data}</c> and no errors.</summary>
    Data,

    /// <summary>The codec returned errors, threw, or returned something that is not a result.</summary>
    Failed,

    /// <summary>A sandbox limit cut the call off (time, memory, recursion, statements, output size).</summary>
    Limit,
}
