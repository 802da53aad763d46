using Microsoft.Extensions.Options;

namespace SmartCity.IoT.Gateway.Hosting;

/// <summary>Attribute checks of <see cref="GatewayOptions"/>, generated at compile time.</summary>
[OptionsValidator]
internal sealed partial class GatewayOptionsValidator : IValidateOptions<GatewayOptions>;
