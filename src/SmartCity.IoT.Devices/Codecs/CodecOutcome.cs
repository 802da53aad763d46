namespace SmartCity.IoT.Devices.Codecs;

/// <summary>One call of a codec: the result as JSON (<c>{data, warnings, errors}</c>) or why there is none.</summary>
internal sealed record CodecOutcome(CodecOutcomeKind Kind, string? ResultJson, string? Problem)
{
    public static CodecOutcome Failed(string problem) => new(CodecOutcomeKind.Failed, null, problem);

    public static CodecOutcome Limit(string problem) => new(CodecOutcomeKind.Limit, null, problem);
}
