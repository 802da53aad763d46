using System.Text;
using System.Text.RegularExpressions;

namespace SmartCity.IoT.Core.Security;

/// <summary>
/// The one place that makes a URL safe to show: in logs, API answers, pages, dead letters and database rows. Incoming-webhook
/// URLs carry their credential in the URL itself (Slack, Teams, Discord put it in the path; others in the query or userinfo),
/// so what is removed is every part that can hold one: userinfo, query values, the fragment, the token segments of known
/// webhook hosts and any path segment that looks random. Scheme, host, port and the readable path stay, so an operator can
/// still tell which receiver is meant. The URL used for sending is never the redacted one.
/// </summary>
public static partial class UrlRedactor
{
    /// <summary>What a removed part is replaced with.</summary>
    public const string Mark = "***";

    /// <summary>A secret part shorter than this is not searched for in free text: it would replace ordinary words.</summary>
    private const int MinPartLength = 4;

    /// <summary><paramref name="url"/> with its secret parts replaced by <see cref="Mark"/>; text that is not an absolute URL is <see cref="Scrub(string?)"/>bed.</summary>
    public static string Redact(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return "";
        }

        return Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) ? Redact(uri) : Scrub(url);
    }

    /// <summary><paramref name="uri"/> with its secret parts replaced by <see cref="Mark"/>.</summary>
    public static string Redact(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri)
        {
            return Scrub(uri.OriginalString);
        }

        if (string.IsNullOrEmpty(uri.Host))
        {
            // mailto:, urn: and the like have no host to keep; only the scheme is safe to show.
            return uri.Scheme + ":" + Mark;
        }

        var changed = false;
        var sb = new StringBuilder(uri.Scheme).Append("://");
        if (uri.UserInfo.Length > 0)
        {
            sb.Append(Mark).Append('@');
            changed = true;
        }

        sb.Append(uri.Authority);
        var segments = uri.AbsolutePath.Split('/');
        var keep = KeptSegments(uri.Host, segments);
        for (var i = 1; i < segments.Length; i++)
        {
            sb.Append('/');
            if (segments[i].Length == 0)
            {
                continue;
            }

            var secret = i > keep || LooksRandom(segments[i]);
            sb.Append(secret ? Mark : segments[i]);
            changed |= secret;
        }

        if (uri.Query.Length > 1)
        {
            changed = true;
            sb.Append('?');
            var pairs = uri.Query[1..].Split('&');
            for (var i = 0; i < pairs.Length; i++)
            {
                if (i > 0)
                {
                    sb.Append('&');
                }

                var eq = pairs[i].IndexOf('=', StringComparison.Ordinal);
                if (eq < 0)
                {
                    sb.Append(pairs[i].Length == 0 ? "" : Mark);
                }
                else
                {
                    sb.Append(pairs[i], 0, eq + 1).Append(eq + 1 < pairs[i].Length ? Mark : "");
                }
            }
        }

        if (uri.Fragment.Length > 1)
        {
            sb.Append('#').Append(Mark);
            changed = true;
        }

        // Nothing to remove: the URL as it was written (no normalising a message's quote of the user's setting).
        return changed ? sb.ToString() : uri.OriginalString;
    }

    /// <summary>
    /// <paramref name="text"/> (an exception message, an error from a server) with every URL in it redacted and, for each of
    /// <paramref name="known"/>, its secret parts removed wherever they appear (an error may quote a host and path without the
    /// scheme, or the user name alone).
    /// </summary>
    public static string Scrub(string? text, params ReadOnlySpan<Uri> known)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        var result = UrlPattern().Replace(text, m =>
        {
            var url = m.Value.TrimEnd('.', ',', ';', ':', '!', '?', ')', '\'', '"');
            var rest = m.Value[url.Length..];
            return (Uri.TryCreate(url, UriKind.Absolute, out var uri) ? Redact(uri) : url[..(url.IndexOf("://", StringComparison.Ordinal) + 3)] + Mark) + rest;
        });
        foreach (var uri in known)
        {
            result = ScrubValues(result, SecretParts(uri));
        }

        return result;
    }

    /// <summary><paramref name="text"/> with each of <paramref name="secrets"/> (passwords, tokens; plain, URL-encoded and base64) replaced by <see cref="Mark"/>.</summary>
    public static string ScrubValues(string? text, IEnumerable<string?> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        var result = text;
        foreach (var secret in secrets.Where(s => s is { Length: >= MinPartLength }).SelectMany(s => Forms(s!)).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length))
        {
            result = result.Replace(secret, Mark, StringComparison.Ordinal);
        }

        return result;
    }

    /// <summary>
    /// The parts of <paramref name="uri"/> that <see cref="Redact(Uri)"/> removes (userinfo, its user and password, query values, the
    /// fragment, token path segments), unescaped, each at least four characters long: what must not appear in stored text.
    /// </summary>
    public static IReadOnlyList<string> SecretParts(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var parts = new List<string>();
        if (!uri.IsAbsoluteUri)
        {
            return parts;
        }

        if (uri.UserInfo.Length > 0)
        {
            parts.Add(uri.UserInfo);
            parts.AddRange(uri.UserInfo.Split(':'));
        }

        var segments = uri.AbsolutePath.Split('/');
        var keep = KeptSegments(uri.Host, segments);
        for (var i = 1; i < segments.Length; i++)
        {
            if (segments[i].Length > 0 && (i > keep || LooksRandom(segments[i])))
            {
                parts.Add(segments[i]);
            }
        }

        if (uri.Query.Length > 1)
        {
            foreach (var pair in uri.Query[1..].Split('&'))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                parts.Add(eq < 0 ? pair : pair[(eq + 1)..]);
            }
        }

        if (uri.Fragment.Length > 1)
        {
            parts.Add(uri.Fragment[1..]);
        }

        return parts.SelectMany(p => new[] { p, Unescape(p) }).Where(p => p.Length >= MinPartLength).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// How many leading path segments of a known incoming-webhook host are readable; the rest is the credential. Other hosts:
    /// all (only random-looking segments go).
    /// </summary>
    private static int KeptSegments(string host, string[] segments)
    {
        host = host.ToLowerInvariant();
        if (host == "hooks.slack.com" || host.EndsWith(".webhook.office.com", StringComparison.Ordinal) || host == "webhook.office.com"
            || host is "outlook.office.com" or "outlook.office365.com")
        {
            return 1; // /services/T…/B…/secret, /workflows/…, /webhookb2/{guid}@{guid}/IncomingWebhook/{hex}/{guid}
        }

        if (host is "discord.com" or "discordapp.com" || host.EndsWith(".discord.com", StringComparison.Ordinal))
        {
            // /api/webhooks/{id}/{token} and /api/v10/webhooks/{id}/{token}
            var at = Array.FindIndex(segments, s => s.Equals("webhooks", StringComparison.OrdinalIgnoreCase));
            return at < 0 ? 0 : at;
        }

        return int.MaxValue;
    }

    /// <summary>
    /// A token rather than a word: 16 or more characters mixing letters and digits (ids, hex, base64, GUIDs), or any segment of 32
    /// or more. Readable paths such as <c>/hooks/smartcity</c> or <c>/api/v2/write</c> are kept.
    /// </summary>
    internal static bool LooksRandom(string segment)
    {
        if (segment.Length >= 32)
        {
            return true;
        }

        if (segment.Length < 16)
        {
            return false;
        }

        var letters = false;
        var digits = false;
        foreach (var c in segment)
        {
            letters |= char.IsAsciiLetter(c);
            digits |= char.IsAsciiDigit(c);
        }

        return letters && digits;
    }

    private static IEnumerable<string> Forms(string secret)
    {
        yield return secret;
        var unescaped = Unescape(secret);
        yield return unescaped;
        yield return Uri.EscapeDataString(unescaped);
        yield return Convert.ToBase64String(Encoding.UTF8.GetBytes(unescaped));
    }

    private static string Unescape(string part)
    {
        try
        {
            return Uri.UnescapeDataString(part);
        }
        catch (UriFormatException)
        {
            return part;
        }
    }

    [GeneratedRegex(@"\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s""'<>`]+", RegexOptions.CultureInvariant)]
    private static partial Regex UrlPattern();
}
