using Microsoft.Extensions.Options;

namespace SmartCity.IoT.Rules.Engine;

/// <summary>
/// Checks <see cref="RuleEngineOptions"/>: the attribute ranges come from the source generator, which also runs the
/// options' own <see cref="System.ComponentModel.DataAnnotations.IValidatableObject.Validate"/>.
/// </summary>
[OptionsValidator]
public sealed partial class RuleEngineOptionsValidator : IValidateOptions<RuleEngineOptions>
{
}
