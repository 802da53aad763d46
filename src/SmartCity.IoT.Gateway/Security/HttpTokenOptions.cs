namespace SmartCity.IoT.Gateway.Security;

/// <summary>An API bearer token: a name (shown as who acted), a role and the token (from the environment or a file).</summary>
internal sealed class HttpTokenOptions
{
    public string Name { get; set; } = "";

    public string Role { get; set; } = HttpRoles.Viewer;

    public string? Token { get; set; }

    public string? TokenFile { get; set; }
}
