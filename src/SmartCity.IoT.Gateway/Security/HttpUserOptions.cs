namespace SmartCity.IoT.Gateway.Security;

/// <summary>A page login: a name, a role and a password hash (from the environment or a file, never the config file).</summary>
internal sealed class HttpUserOptions
{
    public string Name { get; set; } = "";

    public string Role { get; set; } = HttpRoles.Viewer;

    /// <summary>An ASP.NET Core Identity v3 hash (PBKDF2-HMAC-SHA512), as `smartcity auth hash-password` prints it.</summary>
    public string? PasswordHash { get; set; }

    public string? PasswordHashFile { get; set; }
}
