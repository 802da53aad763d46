using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Rules.Language;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Rules.Loading;

/// <summary>A rule's durations (<c>for</c>, <c>keep_firing_for</c>, <c>after</c>): text such as 5m or 1h30m.</summary>
internal static class DurationReader
{
    /// <summary>The duration under <paramref name="key"/>; zero when absent or malformed (then with an error).</summary>
    public static TimeSpan Read(YamlSource source, YamlMappingNode rule, string key)
    {
        if (source.Scalar(rule, key, "a rule") is not { } node)
        {
            return TimeSpan.Zero;
        }

        if (!DurationParser.TryParse(node.Value, out var d))
        {
            source.Error(node, $"malformed duration '{node.Value}' for '{key}': {DurationParser.Help}");
        }

        return d;
    }

    public static long ToNs(TimeSpan d) => (long)(d.TotalMilliseconds * 1_000_000);
}
