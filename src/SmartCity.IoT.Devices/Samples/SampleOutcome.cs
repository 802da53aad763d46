namespace SmartCity.IoT.Devices.Samples;

/// <summary>The result of running one sample: passed, or why not; plus what the decoder produced.</summary>
public sealed record SampleOutcome(ProfileSample Sample, bool Passed, string Message, string? ActualLineProtocol)
{
    public CatalogError ToError() => new(Sample.File, Sample.Line, Sample.Column, $"sample '{Sample.Name}' {Message}");
}
