using SmartCity.IoT.Core.Loading;

namespace SmartCity.IoT.Rules.Language;

/// <summary>The expression compiler's name for the shared "did you mean" (<see cref="DidYouMean"/>).</summary>
internal static class TextDistance
{
    public static string? Closest(string name, IEnumerable<string> candidates) => DidYouMean.Closest(name, candidates);
}
