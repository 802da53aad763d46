using SmartCity.IoT.Core.Decoding;

namespace SmartCity.IoT.Gateway.Nats;

/// <summary>One topic template of one profile, as <see cref="PartitionMapping"/> reads it.</summary>
/// <param name="Profile">The profile id (<c>vendor/model</c>).</param>
/// <param name="File">The profile file as messages show it.</param>
/// <param name="Template">The telemetry or availability template.</param>
/// <param name="IsAvailability">True for the profile's availability (last will / online) template.</param>
/// <param name="Source">The profile's <c>source:</c>, or null for any source.</param>
internal sealed record MappingTemplate(string Profile, string File, TopicTemplate Template, bool IsAvailability = false, string? Source = null);
