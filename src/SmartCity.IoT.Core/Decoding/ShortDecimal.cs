namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// Fast path for the numbers sensors send (<c>-12.75</c>, <c>815</c>): a JSON number token without exponent and with
/// at most 15 significant digits is m / 10^k with m &lt; 2^53 and k &lt;= 22, both exact doubles, so one correctly
/// rounded division gives exactly the double the general parser returns. Anything else returns false (use it).
/// </summary>
internal static class ShortDecimal
{
    private static readonly double[] PowersOf10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

    public static bool TryParse(ReadOnlySpan<byte> token, out double value)
    {
        value = 0;
        var i = 0;
        var negative = token.Length > 0 && token[0] == (byte)'-';
        if (negative)
        {
            i = 1;
        }

        long m = 0;
        var significant = 0;
        var decimals = 0;
        var point = false;
        var any = false;
        for (; i < token.Length; i++)
        {
            var digit = (uint)(token[i] - '0');
            if (digit <= 9)
            {
                any = true;
                decimals += point ? 1 : 0;
                if (significant == 0 && digit == 0)
                {
                    continue; // leading zeros are not significant
                }

                if (++significant > 15)
                {
                    return false;
                }

                m = (m * 10) + digit;
            }
            else if (token[i] == (byte)'.' && !point)
            {
                point = true;
            }
            else
            {
                return false; // exponent (or not a number): the general parser decides
            }
        }

        if (!any || decimals >= PowersOf10.Length)
        {
            return false;
        }

        value = decimals == 0 ? m : m / PowersOf10[decimals];
        if (negative)
        {
            value = -value;
        }

        return true;
    }
}
