using System.CommandLine;
using System.Text.Json.Nodes;
using Fleet.Cli.Keys;

namespace Fleet.Cli.Hub;

/// <summary><c>fleet keys register NAME|PATH --product P [--group G]...</c>: sends only the public key.</summary>
internal static class KeyRegisterCommand
{
    public static Command Build()
    {
        var key = new Argument<string>("NAME|PATH") { Description = "Key name from 'fleet keys list', or the path of a .pub file" };
        var product = new Option<string>("--product") { Description = "Product whose firmware this key signs", Required = true };
        var groups = new Option<string[]>("--group") { Description = "Allow this key only for these deployment groups (repeat); default: any group", AllowMultipleArgumentsPerToken = false };
        var name = new Option<string?>("--name") { Description = "Name on the hub (default: the key's file name)" };
        var dir = new Option<string?>("--dir") { Description = "Key directory (default: keys/ in the fleet config dir)" };
        var cmd = new Command("register", "Register a public signing key with the hub for a product") { key, product, groups, name, dir };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var nameOrPath = pr.GetValue(key)!;
            var publicKey = KeyFiles.LoadPublic(nameOrPath, pr.GetValue(dir));
            var hubName = pr.GetValue(name) ?? Path.GetFileNameWithoutExtension(nameOrPath);
            var body = new JsonObject
            {
                ["name"] = hubName,
                ["product"] = pr.GetValue(product),
                ["publicKeyPem"] = publicKey.ToPem(),
                ["groups"] = HubOutput.Strings(pr.GetValue(groups) ?? []),
            };
            using var hub = new HubClient(HubLogin.Resolve());
            var registered = await hub.PostAsync("/api/v1/keys", body, $"register key '{hubName}'", ct);
            var allowed = HubOutput.List(registered, "groups");
            Console.WriteLine($"registered key {hubName} (keyId {HubOutput.S(registered, "keyId")}) for product {pr.GetValue(product)}; groups: {(allowed.Length == 0 ? "any" : allowed)}");
            return 0;
        });
        return cmd;
    }
}
