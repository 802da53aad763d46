using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Devices;

namespace SmartCity.IoT.Core.Pipeline;

/// <summary>What the profiles listen to: every telemetry and availability template, which each source turns into filters in its own syntax.</summary>
public sealed class SourceSubscription
{
    private readonly IReadOnlyList<TopicRoute> _routes;

    public SourceSubscription(IReadOnlyList<TopicTemplate> templates)
    {
        Templates = templates;
        _routes = [];
    }

    /// <summary>From the router's routes, so a source can subscribe to only its own profiles and ask for retained messages only where a profile replays them.</summary>
    public SourceSubscription(IReadOnlyList<TopicRoute> routes)
    {
        Templates = routes.Select(r => r.Template).ToArray();
        _routes = routes;
    }

    public IReadOnlyList<TopicTemplate> Templates { get; }

    /// <summary>Distinct filters in <paramref name="syntax"/>: a single-level wildcard for every named segment.</summary>
    public IReadOnlyList<string> FiltersFor(TopicSyntax syntax) =>
        Templates.Select(t => t.FilterFor(syntax)).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The filters of the profiles that belong to <paramref name="source"/> or name no source, each with whether the broker
    /// should send its retained messages (an availability topic, or a profile with <c>retained: replay</c>).
    /// </summary>
    public IReadOnlyList<SubscriptionFilter> FiltersFor(TopicSyntax syntax, string source)
    {
        if (_routes.Count == 0)
        {
            return FiltersFor(syntax).Select(f => new SubscriptionFilter(f, WantsRetained: true)).ToArray();
        }

        var result = new List<SubscriptionFilter>();
        foreach (var route in _routes)
        {
            if (route.Profile.Source is { } own && !string.Equals(own, source, StringComparison.Ordinal))
            {
                continue;
            }

            var filter = route.Template.FilterFor(syntax);
            var wants = route.IsAvailability || route.Profile.Retained == RetainedPolicy.Replay;
            var i = result.FindIndex(f => f.Filter == filter);
            if (i < 0)
            {
                result.Add(new SubscriptionFilter(filter, wants));
            }
            else if (wants)
            {
                result[i] = result[i] with { WantsRetained = true };
            }
        }

        return result;
    }
}
