using System.CommandLine;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;

namespace Fleet.Cli.Keys;

/// <summary><c>fleet keys root create NAME [--dir DIR]</c>: a product's offline root key. Never replaced in place: a
/// root key that is overwritten by accident cannot sign the next root, and devices would have to be reprovisioned.</summary>
internal static class RootKeyCommands
{
    public static Command Build()
    {
        var root = new Command("root", "Offline Ed25519 root keys that sign a product's trust metadata (root.json, targets.json)");
        root.Subcommands.Add(Create());
        return root;
    }

    private static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "Key name: NAME.key (private, mode 0600) and NAME.pub are written" };
        var dir = new Option<string?>("--dir") { Description = "Directory for the root key, ideally removable media kept offline (default: root-keys/ in the fleet config dir)" };
        var cmd = new Command("create", "Create an offline root key (refuses to overwrite one)") { name, dir };
        cmd.SetAction((ParseResult pr) =>
        {
            var keyName = pr.GetValue(name)!;
            var keyDir = pr.GetValue(dir) ?? CliPaths.RootKeysDir;
            if (!KeyFiles.IsValidName(keyName))
            {
                throw new CliFailure($"invalid root key name '{keyName}' in the NAME argument: use 1-64 letters, digits, '-', '_' or '.'");
            }

            var privatePath = KeyFiles.PrivatePath(keyDir, keyName);
            var publicPath = KeyFiles.PublicPath(keyDir, keyName);
            if (File.Exists(privatePath) || File.Exists(publicPath))
            {
                throw new CliFailure($"root key '{keyName}' already exists in {keyDir}; a root key is never replaced: pick another name (rotate to it with 'fleet trust rotate-root')");
            }

            try
            {
                Directory.CreateDirectory(keyDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                var key = SigningKey.Generate();
                key.Save(privatePath, overwrite: false);
                try
                {
                    key.PublicKey.Save(publicPath, overwrite: false);
                }
                catch
                {
                    File.Delete(privatePath);
                    throw;
                }

                Console.WriteLine($"created root key {keyName} (TUF keyid {TufKey.From(key.PublicKey).KeyId})");
                Console.WriteLine($"  private: {privatePath} (mode 0600; keep it offline and backed up)");
                Console.WriteLine($"  public:  {publicPath}");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliFailure($"cannot write root key '{keyName}' in {keyDir}: {ex.Message}");
            }

            return 0;
        });
        return cmd;
    }
}
