using Fleet.Cli.Keys;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;

namespace Fleet.Cli.Trust;

/// <summary>A key named on the command line: a key id (Fleet's 16 hex or TUF's 64 hex, for a key whose file is lost),
/// a key NAME (its .pub in the keys or root-keys directory), or the PATH of a .pub file.</summary>
internal static class KeyReference
{
    public static VerifyingKey Resolve(string text, IEnumerable<TufKey> known, string option)
    {
        var match = known.FirstOrDefault(k => string.Equals(k.FleetKeyId, text, StringComparison.OrdinalIgnoreCase) || string.Equals(k.KeyId, text, StringComparison.OrdinalIgnoreCase));
        if (match is not null)
        {
            return match.Key;
        }

        if (!text.Contains('/') && !File.Exists(text) && !File.Exists(KeyFiles.PublicPath(CliPaths.KeysDir, text)) && File.Exists(KeyFiles.PublicPath(CliPaths.RootKeysDir, text)))
        {
            return KeyFiles.LoadPublic(text, CliPaths.RootKeysDir);
        }

        if (!text.Contains('/') && !File.Exists(text) && !File.Exists(KeyFiles.PublicPath(CliPaths.KeysDir, text)) && IsHex(text))
        {
            throw new CliFailure($"{option} {text}: no key with that id in the current metadata (see 'fleet trust show')");
        }

        return KeyFiles.LoadPublic(text);
    }

    /// <summary>Key id to a readable name, from the .pub files in the keys and root-keys directories.</summary>
    public static Dictionary<string, string> KnownNames()
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var dir in new[] { CliPaths.KeysDir, CliPaths.RootKeysDir })
        {
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (var pub in Directory.EnumerateFiles(dir, "*" + KeyFiles.PublicExtension).Order(StringComparer.Ordinal))
            {
                try
                {
                    names.TryAdd(TufKey.From(VerifyingKey.Load(pub)).KeyId, Path.GetFileNameWithoutExtension(pub));
                }
                catch (KeyFormatException)
                {
                }
            }
        }

        return names;
    }

    private static bool IsHex(string text) => text.Length is 16 or 64 && text.All(char.IsAsciiHexDigit);
}
