namespace SmartCity.IoT.Gateway.Security;

/// <summary>An API token as the gateway keeps it: only its SHA-256, compared in constant time.</summary>
internal sealed record HttpApiToken(string Name, string Role, byte[] Sha256);
