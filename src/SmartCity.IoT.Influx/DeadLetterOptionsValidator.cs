using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.DeadLetters;

namespace SmartCity.IoT.Influx;

/// <summary>The attribute checks of <see cref="DeadLetterOptions"/> (Core has no options package, so the generator runs here).</summary>
[OptionsValidator]
internal sealed partial class DeadLetterOptionsValidator : IValidateOptions<DeadLetterOptions>
{
}
