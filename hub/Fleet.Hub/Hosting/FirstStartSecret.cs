using System.Security.Cryptography;
using System.Text;
using Fleet.Protocol.Files;

namespace Fleet.Hub.Hosting;

/// <summary>A secret the hub makes on first start (the admin API token, the admin's UI password): written 0600 from
/// the first byte and never printed. Stdout ends up in the journal, which other users and log shippers can read, so
/// only the file's path and a short fingerprint (not a prefix: it gives away nothing of the secret) are shown.</summary>
internal static class FirstStartSecret
{
    public static void Write(string path, string secret, string what)
    {
        AtomicFile.WriteText(path, secret + "\n", AtomicFile.PrivateMode, createDirectory: true);
        Console.WriteLine($"{what}: written to {path} (mode 0600, sha256 {Fingerprint(secret)}); not printed, read it from that file");
    }

    /// <summary>The first 8 hex digits of the secret's SHA-256: enough to tell two secrets apart, useless for guessing.</summary>
    public static string Fingerprint(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)))[..8];
}
