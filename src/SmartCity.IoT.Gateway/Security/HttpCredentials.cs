using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;

namespace SmartCity.IoT.Gateway.Security;

/// <summary>
/// The users and tokens the HTTP surface accepts, resolved once from <see cref="HttpAuthOptions"/> (secret files read,
/// tokens hashed). Passwords are checked with ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/>.
/// </summary>
internal sealed partial class HttpCredentials
{
    public const int MinTokenLength = 32;

    private static readonly PasswordHasher<HttpUser> Hasher = new();

    // Checked against when the name is unknown, so a wrong name costs as long as a wrong password.
    private static readonly Lazy<string> DummyHash = new(() => Hasher.HashPassword(new HttpUser("", "", ""), RandomNumberGenerator.GetHexString(16)));

    private readonly Dictionary<string, HttpUser> _users;
    private readonly List<HttpApiToken> _tokens;

    private HttpCredentials(Dictionary<string, HttpUser> users, List<HttpApiToken> tokens, string? generatedFile)
    {
        _users = users;
        _tokens = tokens;
        GeneratedFile = generatedFile;
    }

    public IReadOnlyCollection<HttpUser> Users => _users.Values;

    public IReadOnlyList<HttpApiToken> Tokens => _tokens;

    /// <summary>Set when no credentials were configured and the gateway made an operator login for this machine.</summary>
    public string? GeneratedFile { get; }

    public static string HashPassword(string password) => Hasher.HashPassword(new HttpUser("", "", ""), password);

    /// <summary>Resolves the configured credentials, adding a message to <paramref name="errors"/> for each mistake.</summary>
    public static HttpCredentials Resolve(HttpAuthOptions options, List<string> errors)
    {
        var users = new Dictionary<string, HttpUser>(StringComparer.Ordinal);
        for (var i = 0; i < options.Users.Count; i++)
        {
            var u = options.Users[i];
            var key = $"Http:Auth:Users:{i}";
            if (!CheckIdentity(key, u.Name, u.Role, errors) || Secret(key, "PasswordHash", u.PasswordHash, u.PasswordHashFile, errors) is not { } hash)
            {
                continue;
            }

            if (!IsIdentityV3Hash(hash))
            {
                errors.Add($"{key}:PasswordHash (user '{u.Name}'): not an ASP.NET Core Identity v3 password hash; make one with `smartcity auth hash-password`");
            }
            else if (!users.TryAdd(u.Name, new HttpUser(u.Name, u.Role, hash)))
            {
                errors.Add($"{key}:Name: user '{u.Name}' is configured twice");
            }
        }

        var tokens = new List<HttpApiToken>();
        for (var i = 0; i < options.Tokens.Count; i++)
        {
            var t = options.Tokens[i];
            var key = $"Http:Auth:Tokens:{i}";
            if (!CheckIdentity(key, t.Name, t.Role, errors) || Secret(key, "Token", t.Token, t.TokenFile, errors) is not { } token)
            {
                continue;
            }

            if (token.Length < MinTokenLength || token.Distinct().Count() < 8)
            {
                errors.Add($"{key}:Token (token '{t.Name}'): too weak, use at least {MinTokenLength} random characters (`smartcity auth new-token` makes one)");
                continue;
            }

            var sha = SHA256.HashData(Encoding.UTF8.GetBytes(token));
            if (tokens.Any(x => x.Name == t.Name || x.Sha256.AsSpan().SequenceEqual(sha)))
            {
                errors.Add($"{key}: token '{t.Name}' is configured twice (same name or same token)");
                continue;
            }

            tokens.Add(new HttpApiToken(t.Name, t.Role, sha));
        }

        return new HttpCredentials(users, tokens, null);
    }

    /// <summary>The generated operator login (<see cref="GeneratedLogin"/>) as the only credentials.</summary>
    public static HttpCredentials FromGenerated(GeneratedLogin login, string file) => new(
        new Dictionary<string, HttpUser>(StringComparer.Ordinal) { [login.User] = new HttpUser(login.User, HttpRoles.Operator, HashPassword(login.Password)) },
        [new HttpApiToken(login.User, HttpRoles.Operator, SHA256.HashData(Encoding.UTF8.GetBytes(login.Token)))],
        file);

    public bool IsEmpty => _users.Count == 0 && _tokens.Count == 0;

    public HttpUser? FindUser(string name) => _users.GetValueOrDefault(name);

    public HttpUser? VerifyPassword(string name, string password)
    {
        var user = _users.GetValueOrDefault(name);
        var result = Hasher.VerifyHashedPassword(user ?? new HttpUser("", "", ""), user?.PasswordHash ?? DummyHash.Value, password);
        return user is not null && result is PasswordVerificationResult.Success or PasswordVerificationResult.SuccessRehashNeeded ? user : null;
    }

    public HttpApiToken? FindToken(string token)
    {
        var sha = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        HttpApiToken? found = null;
        foreach (var t in _tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(t.Sha256, sha))
            {
                found = t;
            }
        }

        return found;
    }

    private static bool CheckIdentity(string key, string name, string role, List<string> errors)
    {
        var ok = true;
        if (!NamePattern().IsMatch(name))
        {
            errors.Add($"{key}:Name: '{name}' is not a usable name (1-64 letters, digits, '.', '_', '@', '-')");
            ok = false;
        }

        if (!HttpRoles.IsKnown(role))
        {
            errors.Add($"{key}:Role: '{role}' is not a role; use '{HttpRoles.Viewer}' (read) or '{HttpRoles.Operator}' (read and act)");
            ok = false;
        }

        return ok;
    }

    private static string? Secret(string key, string name, string? value, string? file, List<string> errors)
    {
        var hasValue = !string.IsNullOrWhiteSpace(value);
        var hasFile = !string.IsNullOrWhiteSpace(file);
        if (hasValue == hasFile)
        {
            errors.Add(hasValue
                ? $"{key}: set {name} or {name}File, not both"
                : $"{key}: set {name}File (a file holding it) or {name} in the environment (SMARTCITY__{key.Replace(":", "__", StringComparison.Ordinal)}__{name})");
            return null;
        }

        if (hasValue)
        {
            return value!.Trim();
        }

        try
        {
            return SecretFile.Read(file!, $"{key}:{name}File");
        }
        catch (InvalidOperationException ex)
        {
            errors.Add(ex.Message);
            return null;
        }
    }

    private static bool IsIdentityV3Hash(string hash)
    {
        var bytes = new byte[hash.Length];
        return Convert.TryFromBase64String(hash, bytes, out var n) && n >= 61 && bytes[0] == 0x01;
    }

    [GeneratedRegex("^[A-Za-z0-9._@-]{1,64}$")]
    private static partial Regex NamePattern();
}
