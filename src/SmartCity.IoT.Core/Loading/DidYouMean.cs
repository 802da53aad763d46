namespace SmartCity.IoT.Core.Loading;

/// <summary>"Did you mean" for misspelt keys, field names and units (load time only).</summary>
public static class DidYouMean
{
    /// <summary>
    /// The candidate closest to <paramref name="value"/> ignoring case, or null when even the closest needs more than a third of
    /// the name's length in edits (at least one). Swapping two neighbouring letters counts as one edit, so 'feilds' finds 'fields'.
    /// </summary>
    public static string? Closest(string value, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(candidates);
        var lower = value.ToLowerInvariant();
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var d = Distance(lower, candidate.ToLowerInvariant());
            if (d < bestDistance)
            {
                best = candidate;
                bestDistance = d;
            }
        }

        return best is not null && bestDistance <= Math.Max(1, value.Length / 3) ? best : null;
    }

    /// <summary>" (did you mean 'x'?)" for the closest candidate, or "" when none is close.</summary>
    public static string Hint(string value, IEnumerable<string> candidates) =>
        Closest(value, candidates) is { } close ? $" (did you mean '{close}'?)" : "";

    /// <summary>Edit distance with adjacent transpositions (optimal string alignment).</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
