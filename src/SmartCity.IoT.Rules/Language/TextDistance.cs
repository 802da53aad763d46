namespace SmartCity.IoT.Rules.Language;

/// <summary>Edit distance for "did you mean" hints (load time only).</summary>
internal static class TextDistance
{
    public static int Levenshtein(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
        }

        return d[a.Length, b.Length];
    }

    /// <summary>The closest candidate within a third of the name's length (at least 1 edit), or null.</summary>
    public static string? Closest(string name, IEnumerable<string> candidates) => candidates
        .Select(c => (Name: c, Distance: Levenshtein(name, c)))
        .Where(x => x.Distance <= Math.Max(1, name.Length / 3))
        .OrderBy(x => x.Distance)
        .Select(x => x.Name)
        .FirstOrDefault();
}
