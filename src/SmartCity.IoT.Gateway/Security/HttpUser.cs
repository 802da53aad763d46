namespace SmartCity.IoT.Gateway.Security;

/// <summary>A page login as the gateway checks it; <see cref="Stamp"/> changes with the hash, so a new password ends old sessions.</summary>
internal sealed record HttpUser(string Name, string Role, string PasswordHash)
{
    public string Stamp { get; } = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(PasswordHash)))[..16];
}
