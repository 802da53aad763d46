using SmartCity.IoT.Core.Loading;

namespace SmartCity.IoT.Devices.Samples;

/// <summary>The result of running one sample: passed, or why not; plus what the decoder produced.</summary>
internal sealed record SampleOutcome(ProfileSample Sample, bool Passed, string Message, string? ActualLineProtocol)
{
    public Diagnostic ToError() => new(Sample.File, Sample.Line, Sample.Column, $"sample '{Sample.Name}' {Message}");
}
