using System.Security.Cryptography;

namespace SmartCity.IoT.Gateway.Security;

/// <summary>
/// The operator login a gateway with no configured credentials makes for itself, for use on this machine only (every
/// URL loopback): a random password and token kept in a file only its owner can read, never written to the log.
/// </summary>
internal sealed record GeneratedLogin(string User, string Password, string Token)
{
    public const string DefaultUser = "operator";

    public static GeneratedLogin LoadOrCreate(string path, TimeProvider time)
    {
        if (File.Exists(path))
        {
            if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
            {
                // Whoever can read the file can act as operator: keep it to the owner even if someone widened it.
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            var values = File.ReadAllLines(path).Where(l => !l.StartsWith('#') && l.Contains('=', StringComparison.Ordinal))
                .Select(l => l.Split('=', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.Ordinal);
            if (values.TryGetValue("user", out var user) && values.TryGetValue("password", out var password) && values.TryGetValue("token", out var token)
                && password.Length >= 16 && token.Length >= HttpCredentials.MinTokenLength)
            {
                return new GeneratedLogin(user, password, token);
            }
        }

        var login = new GeneratedLogin(DefaultUser, NewSecret(18), NewSecret(32));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(path, System.Text.Encoding.UTF8, options))
        {
            writer.WriteLine($"# SmartCity.IoT operator login for this machine, made {time.GetUtcNow():u} because Http:Auth has no users or tokens.");
            writer.WriteLine("# Sign in on the status page with user and password; send the token as 'Authorization: Bearer <token>'. See SECURITY.md.");
            writer.WriteLine("user=" + login.User);
            writer.WriteLine("password=" + login.Password);
            writer.WriteLine("token=" + login.Token);
        }

        return login;
    }

    /// <summary>A random URL-safe secret of <paramref name="bytes"/> bytes.</summary>
    public static string NewSecret(int bytes) => Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
