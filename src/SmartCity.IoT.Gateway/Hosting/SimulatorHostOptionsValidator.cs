using Microsoft.Extensions.Options;

namespace SmartCity.IoT.Gateway.Hosting;

/// <summary>Attribute checks of <see cref="SimulatorHostOptions"/>, generated at compile time.</summary>
[OptionsValidator]
internal sealed partial class SimulatorHostOptionsValidator : IValidateOptions<SimulatorHostOptions>;
