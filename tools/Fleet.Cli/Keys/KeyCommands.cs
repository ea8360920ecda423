using System.CommandLine;
using System.Text.Json;
using Fleet.Protocol.Files;
using Fleet.Protocol.Signing;

namespace Fleet.Cli.Keys;

/// <summary><c>fleet keys create|list|export</c>. <see cref="Build"/> returns the group; other areas add
/// subcommands (e.g. <c>register</c>) with <c>keys.Subcommands.Add(...)</c> in <see cref="CommandGroups"/>.</summary>
internal static class KeyCommands
{
    public static Command Build()
    {
        var keys = new Command("keys", "Ed25519 signing keys for firmware (private keys stay on this machine)");
        keys.Subcommands.Add(Create());
        keys.Subcommands.Add(List());
        keys.Subcommands.Add(Export());
        keys.Subcommands.Add(RootKeyCommands.Build());
        return keys;
    }

    private static Option<string> DirOption() => new("--dir") { Description = "Key directory (default: keys/ in the fleet config dir, or $FLEET_CONFIG_DIR/keys)" };

    private static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "Key name: NAME.key (private, mode 0600) and NAME.pub are written" };
        var dir = DirOption();
        var force = new Option<bool>("--force") { Description = "Replace an existing key of that name" };
        var cmd = new Command("create", "Create an Ed25519 key pair") { name, dir, force };
        cmd.SetAction((ParseResult pr) =>
        {
            var keyName = pr.GetValue(name)!;
            var keyDir = pr.GetValue(dir) ?? CliPaths.KeysDir;
            if (!KeyFiles.IsValidName(keyName))
            {
                throw new CliFailure($"invalid key name '{keyName}' in the NAME argument: use 1-64 letters, digits, '-', '_' or '.'");
            }

            var privatePath = KeyFiles.PrivatePath(keyDir, keyName);
            var publicPath = KeyFiles.PublicPath(keyDir, keyName);
            var overwrite = pr.GetValue(force);
            if (!overwrite && (File.Exists(privatePath) || File.Exists(publicPath)))
            {
                throw new CliFailure($"key '{keyName}' already exists in {keyDir}: pick another name, or pass --force to replace it (the old key is lost)");
            }

            try
            {
                Directory.CreateDirectory(keyDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                var key = SigningKey.Generate();
                key.Save(privatePath, overwrite);
                key.PublicKey.Save(publicPath, overwrite);
                Console.WriteLine($"created key {keyName} (keyId {key.KeyId})");
                Console.WriteLine($"  private: {privatePath} (mode 0600, keep it secret)");
                Console.WriteLine($"  public:  {publicPath}");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliFailure($"cannot write key '{keyName}' in {keyDir}: {ex.Message}");
            }

            return 0;
        });
        return cmd;
    }

    private static Command List()
    {
        var dir = DirOption();
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var cmd = new Command("list", "List keys with their keyIds") { dir, json };
        cmd.SetAction((ParseResult pr) =>
        {
            var keyDir = pr.GetValue(dir) ?? CliPaths.KeysDir;
            var rows = new List<KeyRow>();
            if (Directory.Exists(keyDir))
            {
                var names = Directory.EnumerateFiles(keyDir)
                    .Where(f => f.EndsWith(KeyFiles.PrivateExtension, StringComparison.Ordinal) || f.EndsWith(KeyFiles.PublicExtension, StringComparison.Ordinal))
                    .Select(Path.GetFileNameWithoutExtension)
                    .OfType<string>()
                    .Distinct(StringComparer.Ordinal)
                    .Order(StringComparer.Ordinal);
                foreach (var n in names)
                {
                    rows.Add(Describe(keyDir, n));
                }
            }

            if (pr.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(rows, KeyJson.Default.ListKeyRow));
            }
            else if (rows.Count == 0)
            {
                Console.WriteLine($"no keys in {keyDir}; create one with 'fleet keys create NAME'");
            }
            else
            {
                foreach (var r in rows)
                {
                    Console.WriteLine($"{r.Name,-24} {r.KeyId ?? "(unreadable)",-16}  {(r.HasPrivate ? "private+public" : "public only")}{(r.Problem is null ? "" : "  " + r.Problem)}");
                }
            }

            return 0;
        });
        return cmd;
    }

    private static KeyRow Describe(string dir, string name)
    {
        var privatePath = KeyFiles.PrivatePath(dir, name);
        var publicPath = KeyFiles.PublicPath(dir, name);
        try
        {
            var key = File.Exists(publicPath) ? VerifyingKey.Load(publicPath) : KeyFiles.LoadPrivate(privatePath).PublicKey;
            return new KeyRow(name, key.KeyId, File.Exists(privatePath), File.Exists(publicPath) ? publicPath : null, null);
        }
        catch (KeyFormatException ex)
        {
            return new KeyRow(name, null, File.Exists(privatePath), File.Exists(publicPath) ? publicPath : null, ex.Message);
        }
        catch (CliFailure ex)
        {
            return new KeyRow(name, null, File.Exists(privatePath), File.Exists(publicPath) ? publicPath : null, ex.Message);
        }
    }

    private static Command Export()
    {
        var name = new Argument<string>("NAME") { Description = "Key name (or path of a .key/.pub file)" };
        var dir = DirOption();
        var cmd = new Command("export", "Print a key's public PEM (what the hub and devices trust)") { name, dir };
        cmd.SetAction((ParseResult pr) =>
        {
            var keyName = pr.GetValue(name)!;
            var keyDir = pr.GetValue(dir) ?? CliPaths.KeysDir;
            var publicPath = KeyFiles.PublicPath(keyDir, keyName);
            VerifyingKey key = File.Exists(publicPath) || keyName.EndsWith(KeyFiles.PublicExtension, StringComparison.Ordinal)
                ? KeyFiles.LoadPublic(keyName, keyDir)
                : KeyFiles.LoadPrivate(keyName, keyDir).PublicKey;
            Console.Write(key.ToPem());
            return 0;
        });
        return cmd;
    }
}
