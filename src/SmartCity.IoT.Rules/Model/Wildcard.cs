namespace SmartCity.IoT.Rules.Model;

/// <summary>Glob matching for <c>match</c>: <c>*</c> is any run of characters, <c>?</c> one character; case-sensitive.</summary>
public static class Wildcard
{
    public static bool IsMatch(ReadOnlySpan<char> text, ReadOnlySpan<char> pattern)
    {
        int t = 0, p = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                t++;
                p++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starT = t;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                t = ++starT;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    public static bool AnyMatch(string text, IReadOnlyList<string> patterns)
    {
        foreach (var p in patterns)
        {
            if (IsMatch(text, p))
            {
                return true;
            }
        }

        return false;
    }
}
