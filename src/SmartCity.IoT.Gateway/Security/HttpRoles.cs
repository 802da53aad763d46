namespace SmartCity.IoT.Gateway.Security;

/// <summary>The two roles and the policies named after them; an operator can do everything a viewer can.</summary>
internal static class HttpRoles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";

    /// <summary>Read the page and the read API.</summary>
    public const string ViewerPolicy = "viewer";

    /// <summary>Anything that changes state: acknowledge, silence, retry, enable.</summary>
    public const string OperatorPolicy = "operator";

    public static bool IsKnown(string role) => role is Viewer or Operator;
}
