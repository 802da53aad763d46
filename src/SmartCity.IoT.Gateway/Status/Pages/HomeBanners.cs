using System.Text;
using SmartCity.IoT.Gateway.Pipeline;
using SmartCity.IoT.Rules.Engine;

namespace SmartCity.IoT.Gateway.Status.Pages;

/// <summary>What must not be missed, on top of the building view: a rejected rule reload (until fixed), broken rules, a busy pipeline.</summary>
internal sealed record HomeBanners(RuleReloadStatus.Failure? ReloadFailure, IReadOnlyList<BrokenRule> BrokenRules, DateTimeOffset? AlertsReadAt, int RuleCount)
{
    public void Append(StringBuilder h, PageRequest request)
    {
        if (ReloadFailure is { } f)
        {
            h.Append("<div class=\"notice error\" role=\"alert\"><b>The rules folder has errors; the rules from before keep running</b> (reload refused ")
                .Append(Humanize.Time(f.At, request.Now)).Append("):<ul>");
            foreach (var e in f.Errors.Take(20))
            {
                h.Append("<li><code>").Append(Html.E(e)).Append("</code></li>");
            }

            h.Append("</ul></div>");
        }

        foreach (var broken in BrokenRules)
        {
            h.Append("<p class=\"bad\"><b>Rule ").Append(Html.E(broken.RuleName)).Append(" is broken</b> (").Append(Humanize.Count(broken.Failures))
                .Append(" failures, first on ").Append(Html.E(broken.FirstDevice)).Append("): ").Append(Html.E(broken.FirstError)).Append(". Readings are still stored; fix or remove the rule.</p>");
        }

        if (AlertsReadAt is { } readAt && request.Now - readAt > TimeSpan.FromSeconds(1))
        {
            h.Append("<p class=\"warn\">The pipeline is busy (see <a href=\"/flow\">Data flow</a>); alerts as of ").Append(Humanize.Time(readAt, request.Now)).Append(".</p>");
        }
    }
}
