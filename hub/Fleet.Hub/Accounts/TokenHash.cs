using System.Security.Cryptography;
using System.Text;

namespace Fleet.Hub.Accounts;

/// <summary>API tokens are 32 random bytes, so a plain SHA-256 is enough to store them: there is nothing to
/// brute-force, unlike a password.</summary>
internal static class TokenHash
{
    public const string Prefix = "fleet_";

    public static string NewToken() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Of(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
