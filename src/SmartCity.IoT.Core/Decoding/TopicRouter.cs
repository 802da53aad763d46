using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Pipeline;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// Finds the profile for a topic. Templates are bucketed by depth; within a bucket the first match wins
/// (the catalog rejects overlapping templates, so at most one can match). Allocation-free.
/// </summary>
public sealed class TopicRouter
{
    public const int MaxLevels = 32;

    private readonly TopicRoute[][] _byDepth = new TopicRoute[MaxLevels + 1][];

    public TopicRouter(IEnumerable<DeviceProfile> profiles)
    {
        var routes = new List<TopicRoute>();
        foreach (var p in profiles)
        {
            foreach (var t in p.Decoding.Topics)
            {
                routes.Add(new TopicRoute(t, p, null));
            }

            if (p.Decoding.Availability is { } a)
            {
                routes.Add(new TopicRoute(a.Template, p, a));
            }
        }

        Routes = routes;
        for (var depth = 0; depth <= MaxLevels; depth++)
        {
            _byDepth[depth] = routes.Where(r => r.Template.SegmentCount == depth).ToArray();
        }
    }

    public IReadOnlyList<TopicRoute> Routes { get; }

    /// <summary>Every telemetry and availability template, for sources to subscribe to in their own syntax.</summary>
    public SourceSubscription Subscription => new(Routes);

    /// <summary>Routes an MQTT topic; <paramref name="levels"/> must hold at least <see cref="MaxLevels"/> ranges.</summary>
    public bool TryRoute(ReadOnlySpan<char> topic, Span<Range> levels, out TopicRoute? route) => TryRoute(topic, '/', levels, out route);

    /// <summary>Routes a topic whose levels are separated by <paramref name="separator"/> (<c>/</c> for MQTT, <c>.</c> for subjects).</summary>
    public bool TryRoute(ReadOnlySpan<char> topic, char separator, Span<Range> levels, out TopicRoute? route)
    {
        var depth = topic.Count(separator) + 1;
        if (depth <= MaxLevels)
        {
            foreach (var r in _byDepth[depth])
            {
                if (r.Template.TryMatch(topic, levels, separator))
                {
                    route = r;
                    return true;
                }
            }
        }

        route = null;
        return false;
    }
}
