using System.Text;

namespace SmartCity.IoT.Gateway.Status.Pages;

/// <summary>The frame every page shares: head, styles, navigation, the notice of the last form, the closing tags.</summary>
internal static class PageLayout
{
    public static readonly (string Href, string Label)[] Navigation =
    [
        ("/", "Buildings"),
        ("/alerts", "Alerts"),
        ("/silences", "Silences"),
        ("/webhooks", "Webhooks"),
        ("/flow", "Data flow"),
    ];

    private const string Styles = """
        body{font-family:system-ui,sans-serif;margin:0;color:#1d2733;background:#f6f8fa}
        header{background:#1d2733;color:#fff;padding:.5rem 1.2rem;display:flex;gap:1.2rem;align-items:center;flex-wrap:wrap}
        header a{color:#dbe4ee;text-decoration:none}header a[aria-current]{color:#fff;font-weight:600;border-bottom:2px solid #fff}
        header b{font-size:1.1rem}main{padding:1rem 1.2rem}
        h1{font-size:1.35rem;margin:.2rem 0 .4rem}h2{font-size:1.1rem;margin:1.4rem 0 .5rem}
        a:focus,button:focus,summary:focus,input:focus,select:focus,textarea:focus{outline:3px solid #0969da;outline-offset:1px}
        .cards{display:flex;flex-wrap:wrap;gap:.7rem}.card{background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:.6rem .9rem;min-width:9rem}
        .card b{display:block;font-size:1.3rem}.ok{color:#1a7f37}.bad{color:#cf222e}.warn{color:#9a6700}.muted{color:#57606a}
        table{border-collapse:collapse;background:#fff;width:100%;font-size:.9rem}th,td{border:1px solid #d8dee4;padding:.3rem .5rem;text-align:left;vertical-align:top}
        th{background:#eef1f4}code{font-size:.85rem}
        .sev-critical{background:#ffebe9}.sev-major{background:#fff1e5}.sev-warning{background:#fff8c5}.sev-info{background:#ddf4ff}
        .dot{display:inline-block;width:.8rem;height:.8rem;border-radius:50%;vertical-align:middle;margin-right:.3rem;border:1px solid #0002}
        .dot-none{background:#2da44e}.dot-info{background:#54aeff}.dot-warning{background:#d4a72c}.dot-major{background:#fb8f44}.dot-critical{background:#cf222e}.dot-silent{background:#8c959f}
        .badge{display:inline-block;border-radius:1rem;padding:0 .45rem;font-size:.78rem;margin:0 .15rem;border:1px solid #d0d7de;background:#fff}
        .badge-acked{border-color:#1a7f37;color:#1a7f37}.badge-silenced{border-color:#57606a;color:#57606a}.badge-inhibited{border-color:#8250df;color:#8250df}.badge-flapping{border-color:#bc4c00;color:#bc4c00}
        details.place{background:#fff;border:1px solid #d8dee4;border-radius:6px;margin:.3rem 0;padding:.25rem .6rem}
        details.place details.place{margin-left:1.2rem}summary{cursor:pointer;padding:.15rem 0}
        .place-critical{border-left:6px solid #cf222e!important}.place-major{border-left:6px solid #fb8f44!important}.place-warning{border-left:6px solid #d4a72c!important}.place-info{border-left:6px solid #54aeff!important}.place-none{border-left:6px solid #2da44e!important}
        .kv{color:#57606a;font-size:.88rem;margin-left:.5rem}form.inline{display:inline}
        button{font:inherit;padding:.15rem .6rem;border:1px solid #8c959f;border-radius:5px;background:#f6f8fa;cursor:pointer}button:hover{background:#eaeef2}
        input,select,textarea{font:inherit;padding:.15rem .3rem}.notice{padding:.5rem .8rem;border-radius:6px;background:#dafbe1;border:1px solid #1a7f37}.notice.error{background:#ffebe9;border-color:#cf222e}
        .chart{background:#fff;border:1px solid #d8dee4;border-radius:6px;margin:.4rem 0;padding:.3rem}.chart svg{width:100%;height:auto;max-width:56rem}
        .pager a,.pager span{margin-right:.5rem}
        .floor{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}.floor-figure{margin:0;flex:1 1 36rem;background:#fff;border:1px solid #d8dee4;border-radius:6px;padding:.4rem}
        .floor-plan{width:100%;height:auto;max-width:64rem}.floor-plan a.zone:focus{outline:none}.floor-plan a.zone:focus>*,.floor-plan a.zone:hover>*{stroke:#0969da;stroke-width:4px}
        .legend ul{list-style:none;padding:0;margin:.3rem 0}.legend li{margin:.15rem 0}.swatch{display:inline-block;width:1rem;height:1rem;border:1px solid #0003;vertical-align:middle;margin-right:.4rem}
        .modes a,.modes b{margin-right:.6rem}.attrs th{width:14rem}
        """;

    public static StringBuilder Begin(string title, string current, PageRequest request)
    {
        var h = new StringBuilder(64 * 1024);
        h.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        h.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><link rel=\"icon\" href=\"data:,\"><title>").Append(Html.E(title)).Append(" · SmartCity.IoT</title><style>")
            .Append(Styles).Append("</style></head><body><header><b>SmartCity.IoT</b><nav aria-label=\"pages\">");
        foreach (var (href, label) in Navigation)
        {
            h.Append("<a href=\"").Append(href).Append('"').Append(href == current ? " aria-current=\"page\"" : "").Append('>').Append(Html.E(label)).Append("</a> ");
        }

        h.Append("</nav><span class=\"muted\" style=\"color:#aeb8c2\">").Append(Html.E(Humanize.Absolute(request.Now))).Append("</span>").Append(Account(request)).Append("</header><main>");
        if (request.Notice is { Length: > 0 } notice)
        {
            h.Append("<p role=\"status\" class=\"notice").Append(request.NoticeIsError ? " error" : "").Append("\">").Append(Html.E(notice)).Append("</p>");
        }

        return h;
    }

    /// <summary>Who is signed in and a sign-out button, or a sign-in link.</summary>
    private static string Account(PageRequest request) => request.User is { } user
        ? $"<form method=\"post\" action=\"/logout\" class=\"inline account\" style=\"margin-left:auto\"><input type=\"hidden\" name=\"{Html.E(request.TokenField)}\" value=\"{Html.E(request.Token)}\"><span style=\"color:#dbe4ee\">signed in as <b class=\"user\" style=\"font-size:1rem\">{Html.E(user)}</b></span> <button type=\"submit\">Sign out</button></form>"
        : $"<a class=\"account\" style=\"margin-left:auto\" href=\"/login?returnUrl={Html.Q(request.PathAndQuery)}\">Sign in</a>";

    /// <summary>
    /// Reloads the page every 30 s, except while someone is using it: a field has the focus or holds typed text, or a place was
    /// opened (a reload would close it). Plain script in the page; no build step.
    /// </summary>
    private const string RefreshScript = """
        <script>
        (function(){const opened=new Set([...document.querySelectorAll('details[open]')]);
        setInterval(function(){const f=document.activeElement;if(f&&f.matches('input,textarea,select'))return;
        if([...document.querySelectorAll('input:not([type=hidden]),textarea')].some(i=>i.value!==i.defaultValue))return;
        if([...document.querySelectorAll('details[open]')].some(d=>!opened.has(d)))return;location.reload();},30000);})();
        </script>
        """;

    /// <param name="script">A page's own script instead of the reload (the floor view refreshes its colours in place).</param>
    public static string End(StringBuilder h, bool refresh = false, string? script = null) =>
        h.Append("</main>").Append(refresh ? RefreshScript : "").Append(script ?? "").Append("</body></html>").ToString();
}
