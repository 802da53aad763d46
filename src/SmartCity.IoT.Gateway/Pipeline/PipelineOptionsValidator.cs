using Microsoft.Extensions.Options;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>Attribute checks of <see cref="PipelineOptions"/>, generated at compile time.</summary>
[OptionsValidator]
internal sealed partial class PipelineOptionsValidator : IValidateOptions<PipelineOptions>;
