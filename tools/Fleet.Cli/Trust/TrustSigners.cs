using Fleet.Cli.Keys;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;

namespace Fleet.Cli.Trust;

/// <summary>Finds the private keys that sign a role: the ones named with <c>--root-key</c>, or else every key in the
/// root-keys directory that the role lists. Every private key file's mode is checked before it is read.</summary>
internal sealed class TrustSigners(IReadOnlyList<string> named)
{
    public bool NamedAny => named.Count > 0;

    /// <summary>A root key by NAME (in the root-keys directory, then the keys directory) or PATH.</summary>
    public static SigningKey LoadRootKey(string nameOrPath)
    {
        if (nameOrPath.Contains('/') || File.Exists(nameOrPath))
        {
            return KeyFiles.LoadPrivate(nameOrPath);
        }

        foreach (var dir in new[] { CliPaths.RootKeysDir, CliPaths.KeysDir })
        {
            if (File.Exists(KeyFiles.PrivatePath(dir, nameOrPath)))
            {
                return KeyFiles.LoadPrivate(nameOrPath, dir);
            }
        }

        throw new CliFailure($"no root key '{nameOrPath}' in {CliPaths.RootKeysDir} or {CliPaths.KeysDir}: create it with 'fleet keys root create {nameOrPath}' or pass the path of its .key file");
    }

    /// <summary>Keys that meet <paramref name="role"/>'s threshold, or one message saying which keys are needed.</summary>
    public IReadOnlyList<SigningKey> For(string roleName, RoleKeys role, IEnumerable<SigningKey>? extra = null)
    {
        var candidates = new List<SigningKey>(extra ?? []);
        if (named.Count > 0)
        {
            candidates.AddRange(named.Select(LoadRootKey));
        }
        else
        {
            candidates.AddRange(Discover(role));
        }

        var chosen = candidates.Where(k => role.KeyIds.Contains(TufKey.From(k.PublicKey).KeyId, StringComparer.Ordinal))
            .DistinctBy(k => TufKey.From(k.PublicKey).KeyId).ToList();
        if (chosen.Count < role.Threshold)
        {
            var have = chosen.Count == 0 ? "none of them" : $"only {chosen.Count}";
            var where = named.Count > 0 ? "among the --root-key keys given" : $"in {CliPaths.RootKeysDir}";
            throw new CliFailure($"the {roleName} role needs {role.Threshold} signature(s) from keys {string.Join(", ", role.KeyIds.Select(Short))}; {have} found {where}: pass the keys with --root-key NAME|PATH");
        }

        return chosen;
    }

    /// <summary>Every --root-key must be a key of <paramref name="role"/>: signing with a stranger's key is a mistake worth stopping.</summary>
    public void RequireAllIn(string roleName, RoleKeys role)
    {
        foreach (var name in named)
        {
            var id = TufKey.From(LoadRootKey(name).PublicKey).KeyId;
            if (!role.KeyIds.Contains(id, StringComparer.Ordinal))
            {
                throw new CliFailure($"--root-key {name} (keyid {Short(id)}) is not one of the keys of the current {roleName} role ({string.Join(", ", role.KeyIds.Select(Short))}); pass the current root keys");
            }
        }
    }

    public static string Short(string keyId) => keyId[..16];

    private static IEnumerable<SigningKey> Discover(RoleKeys role)
    {
        foreach (var dir in new[] { CliPaths.RootKeysDir, CliPaths.KeysDir })
        {
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (var pub in Directory.EnumerateFiles(dir, "*" + KeyFiles.PublicExtension).Order(StringComparer.Ordinal))
            {
                var privatePath = Path.ChangeExtension(pub, KeyFiles.PrivateExtension);
                string id;
                try
                {
                    id = TufKey.From(VerifyingKey.Load(pub)).KeyId;
                }
                catch (KeyFormatException)
                {
                    continue;
                }

                if (role.KeyIds.Contains(id, StringComparer.Ordinal) && File.Exists(privatePath))
                {
                    yield return KeyFiles.LoadPrivate(privatePath);
                }
            }
        }
    }
}
