namespace SmartCity.IoT.Core.Pipeline;

/// <summary>The spelling of a source's name (<c>Mqtt:Sources:N:Name</c>, a profile's <c>source</c>): it appears in metrics labels and URLs.</summary>
public static class SourceName
{
    public const string Rule = "lower case letters, digits, '-' and '_', starting with a letter or digit, at most 64 characters";

    public static bool IsValid(string name) =>
        name.Length is > 0 and <= 64
        && (char.IsAsciiLetterLower(name[0]) || char.IsAsciiDigit(name[0]))
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_');
}
