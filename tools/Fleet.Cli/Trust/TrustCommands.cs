using System.CommandLine;
using Fleet.Cli.Hub;
using Fleet.Cli.Keys;
using Fleet.Protocol.Trust;

namespace Fleet.Cli.Trust;

/// <summary><c>fleet trust init|add-key|revoke-key|rotate-key|rotate-root|renew|show</c>: each maps its options to one
/// <see cref="TrustAuthoring"/> call and prints what the hub accepted.</summary>
internal static class TrustCommands
{
    public static Command Build()
    {
        var trust = new Command("trust", "A product's TUF trust metadata: which root keys rule it and which signing keys may ship firmware where");
        trust.Subcommands.Add(Init());
        trust.Subcommands.Add(AddKey());
        trust.Subcommands.Add(RevokeKey());
        trust.Subcommands.Add(RotateKey());
        trust.Subcommands.Add(RotateRoot());
        trust.Subcommands.Add(Renew());
        trust.Subcommands.Add(TrustShowCommand.Build());
        return trust;
    }

    internal static Option<string> ProductOption() => new("--product") { Description = "Product whose trust metadata this is", Required = true };

    internal static Option<string?> DirOption() => new("--dir") { Description = "Local copy of the signed metadata (default: trust/PRODUCT/ in the fleet config dir)" };

    private static Option<string[]> RootKeyOption(string description) => new("--root-key") { Description = description, AllowMultipleArgumentsPerToken = false };

    private static Option<string?> ExpiresOption(string description) => new("--expires") { Description = description };

    private static Option<string[]> LegacyKeyOption() => new("--legacy-key")
    {
        Description = "Product signing key NAME|PATH (private, in keys/) that also signs the root, so tanks provisioned before TUF (which trust it in trusted-keys/) adopt the root over the air; repeat",
    };

    internal static LocalTrustCopy Local(ParseResult pr, Option<string> product, Option<string?> dir) =>
        new(Path.GetFullPath(pr.GetValue(dir) ?? CliPaths.TrustDir(Product(pr, product))));

    internal static string Product(ParseResult pr, Option<string> product)
    {
        var name = pr.GetValue(product)!;
        return TrustNames.IsSafeName(name) ? name : throw new CliFailure($"--product '{name}' is not a product name (1-64 letters, digits, '.', '_', '-')");
    }

    private static Command Init()
    {
        var product = ProductOption();
        var dir = DirOption();
        var rootKeys = RootKeyOption("Root key NAME (in root-keys/) or PATH; repeat for several root keys");
        rootKeys.Required = true;
        var threshold = new Option<int>("--threshold") { Description = "How many root keys must sign each new root (default 1)", DefaultValueFactory = _ => 1 };
        var targetsKey = new Option<string[]>("--targets-key") { Description = "Separate key NAME|PATH for the targets role (default: the root keys sign targets)" };
        var expires = ExpiresOption("Lifetime of root and targets, e.g. 365d (default 365d)");
        var legacy = LegacyKeyOption();
        var cmd = new Command("init", "Sign root.json v1 and targets.json v1 for a product and store them on the hub") { product, dir, rootKeys, threshold, targetsKey, expires, legacy };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var name = Product(pr, product);
            var until = TrustDuration.From(DateTimeOffset.UtcNow, pr.GetValue(expires) ?? "365d", "--expires");
            using var hub = new HubClient(HubLogin.Resolve());
            var local = Local(pr, product, dir);
            var done = await new TrustAuthoring(hub, name, local).InitAsync(pr.GetValue(rootKeys) ?? [], pr.GetValue(threshold), pr.GetValue(targetsKey) ?? [], until, until, pr.GetValue(legacy) ?? [], ct);
            Print(name, done, local);
            Console.WriteLine($"  no signing key is trusted yet: add one with 'fleet trust add-key --product {name} --key NAME --scope any|group:G|tag:T|device:S'");
            return 0;
        });
        return cmd;
    }

    private static Command AddKey()
    {
        var (product, dir, rootKeys, expires, pin) = Common();
        var key = new Option<string?>("--key") { Description = "Firmware-signing key NAME (its .pub in keys/) or PATH of a .pub file" };
        var keyFile = new Option<string?>("--key-file") { Description = "PATH of the signing key's .pub file" };
        var scope = new Option<string>("--scope") { Description = "Where the key may ship: group:NAME, tag:NAME, device:SERIAL or any", Required = true };
        var reissue = new Option<bool>("--reissue") { Description = "Start the delegations anew with this key only, when the hub's targets verify only under an earlier root (an interrupted root rotation)" };
        var cmd = new Command("add-key", "Trust a firmware-signing key for a scope (targets version + 1)") { product, dir, rootKeys, expires, pin, key, keyFile, scope, reissue };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var reference = (pr.GetValue(key), pr.GetValue(keyFile)) switch
            {
                ({ } k, null) => k,
                (null, { } f) => f,
                (null, null) => throw new CliFailure("name the signing key with --key NAME|PATH or --key-file PATH"),
                _ => throw new CliFailure("pass either --key or --key-file, not both"),
            };
            var where = ParseScope(pr.GetValue(scope));
            var signingKey = KeyFiles.LoadPublic(reference);
            if (where.Kind == TrustScope.Group)
            {
                await PrintGroupReachAsync(where.Name!, ct);
            }

            var done = await EditAsync(pr, product, dir, rootKeys, expires, pin, (_, current) => Delegations.Add(current, signingKey, where), ct, pr.GetValue(reissue));
            Console.WriteLine($"  key {signingKey.KeyId} may now sign firmware for {where}");
            return done;
        });
        return cmd;
    }

    private static Command RevokeKey()
    {
        var (product, dir, rootKeys, expires, pin) = Common();
        var key = new Option<string>("--key") { Description = "Key to revoke: NAME, PATH of its .pub, or its key id (when the key file is lost)", Required = true };
        var scope = new Option<string?>("--scope") { Description = "Revoke it for this scope only (default: every scope)" };
        var cmd = new Command("revoke-key", "Stop trusting a firmware-signing key (targets version + 1); devices refuse its firmware from the next targets they receive") { product, dir, rootKeys, expires, pin, key, scope };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var only = pr.GetValue(scope) is { } s ? ParseScope(s) : null;
            string revoked = "";
            var done = await EditAsync(pr, product, dir, rootKeys, expires, pin, (state, current) =>
            {
                var k = KeyReference.Resolve(pr.GetValue(key)!, state.Targets?.DelegationKeys.Values ?? [], "--key");
                revoked = $"{k.KeyId} ({string.Join(", ", Delegations.ScopesOf(current, k).Where(x => only is null || x == only))})";
                return Delegations.Remove(current, k, only);
            }, ct);
            Console.WriteLine($"  key {revoked} revoked");
            return done;
        });
        return cmd;
    }

    private static Command RotateKey()
    {
        var (product, dir, rootKeys, expires, pin) = Common();
        var old = new Option<string>("--old") { Description = "Key being replaced: NAME, PATH of its .pub, or key id", Required = true };
        var replacement = new Option<string>("--new") { Description = "New signing key: NAME or PATH of its .pub", Required = true };
        var cmd = new Command("rotate-key", "Replace a signing key with a new one in every scope it had, in one targets version") { product, dir, rootKeys, expires, pin, old, replacement };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var newKey = KeyFiles.LoadPublic(pr.GetValue(replacement)!);
            var scopes = "";
            var done = await EditAsync(pr, product, dir, rootKeys, expires, pin, (state, current) =>
            {
                var oldKey = KeyReference.Resolve(pr.GetValue(old)!, state.Targets?.DelegationKeys.Values ?? [], "--old");
                scopes = $"{oldKey.KeyId} -> {newKey.KeyId} for {string.Join(", ", Delegations.ScopesOf(current, oldKey))}";
                return Delegations.Rotate(current, oldKey, newKey);
            }, ct);
            Console.WriteLine($"  rotated {scopes}");
            return done;
        });
        return cmd;
    }

    private static Command RotateRoot()
    {
        var product = ProductOption();
        var dir = DirOption();
        var rootKeys = RootKeyOption("Current root key NAME|PATH that signs (repeat; default: the current root keys found in root-keys/)");
        var add = new Option<string[]>("--add-root-key") { Description = "New root key NAME|PATH (private: it signs the new root too); repeat" };
        var remove = new Option<string[]>("--remove-root-key") { Description = "Root key to drop: NAME, PATH of its .pub, or key id (e.g. a lost key); repeat" };
        var threshold = new Option<int?>("--threshold") { Description = "Root threshold of the new root (default: the current one, at most the number of keys)" };
        var targetsKey = new Option<string[]>("--targets-key") { Description = "New key NAME|PATH for the targets role (default: unchanged, or the new root keys when the root keys signed targets)" };
        var expires = ExpiresOption("Lifetime of the new root (default 365d)");
        var pin = PinOption();
        var legacy = LegacyKeyOption();
        var cmd = new Command("rotate-root", "Sign the next root version with the current AND the new root keys (TUF): add, drop or replace root keys") { product, dir, rootKeys, add, remove, threshold, targetsKey, expires, pin, legacy };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var name = Product(pr, product);
            var change = new RootChange(pr.GetValue(add) ?? [], pr.GetValue(remove) ?? [], pr.GetValue(threshold), pr.GetValue(targetsKey) ?? [],
                TrustDuration.From(DateTimeOffset.UtcNow, pr.GetValue(expires) ?? "365d", "--expires"), pr.GetValue(legacy) ?? []);
            if (change.AddKeys.Count == 0 && change.RemoveKeys.Count == 0 && change.Threshold is null && change.TargetsKeys.Count == 0 && change.LegacyKeys!.Count == 0)
            {
                throw new CliFailure("rotate-root changes nothing: pass --add-root-key, --remove-root-key, --threshold, --targets-key or --legacy-key (to extend the root's lifetime, use 'fleet trust renew --root')");
            }

            using var hub = new HubClient(HubLogin.Resolve());
            var local = Local(pr, product, dir);
            var done = await new TrustAuthoring(hub, name, local, pr.GetValue(pin)).RotateRootAsync(change, new TrustSigners(pr.GetValue(rootKeys) ?? []), ct);
            Print(name, done, local);
            return 0;
        });
        return cmd;
    }

    private static Command Renew()
    {
        var (product, dir, rootKeys, expires, pin) = Common();
        expires.Description = "New lifetime, e.g. 365d (default 365d)";
        var root = new Option<bool>("--root") { Description = "Renew the root too (a new root version, same keys)" };
        var cmd = new Command("renew", "Sign targets (and with --root, the root) anew with a later expiry") { product, dir, rootKeys, expires, pin, root };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var name = Product(pr, product);
            var until = TrustDuration.From(DateTimeOffset.UtcNow, pr.GetValue(expires) ?? "365d", "--expires");
            using var hub = new HubClient(HubLogin.Resolve());
            var local = Local(pr, product, dir);
            var authoring = new TrustAuthoring(hub, name, local, pr.GetValue(pin));
            var signers = new TrustSigners(pr.GetValue(rootKeys) ?? []);
            if (pr.GetValue(root))
            {
                Print(name, await authoring.RotateRootAsync(new RootChange([], [], null, [], until), signers, ct), local);
            }

            Print(name, await authoring.EditTargetsAsync((_, current) => [.. current], signers, until, ct), local);
            return 0;
        });
        return cmd;
    }

    private static (Option<string> Product, Option<string?> Dir, Option<string[]> RootKeys, Option<string?> Expires, Option<string?> Pin) Common() =>
        (ProductOption(), DirOption(), RootKeyOption("Targets (root) key NAME|PATH that signs (repeat; default: the targets keys found in root-keys/)"),
            ExpiresOption("Lifetime of the new targets, e.g. 365d (default: keep the current expiry)"), PinOption());

    /// <summary>For a machine without the product's trust copy: the root to build on, pinned by its SHA-256.</summary>
    private static Option<string?> PinOption() =>
        TrustAnchor.Option("Without a local trust copy: SHA-256 of a root.json of the product ('fleet trust show' on the machine that holds the copy); the hub's chain must verify from it, and this machine then keeps a copy");

    private static async Task<int> EditAsync(ParseResult pr, Option<string> product, Option<string?> dir, Option<string[]> rootKeys, Option<string?> expires, Option<string?> pin,
        Func<HubTrust, IReadOnlyList<DelegationSpec>, List<DelegationSpec>> edit, CancellationToken ct, bool reissue = false)
    {
        var name = Product(pr, product);
        DateTimeOffset? until = pr.GetValue(expires) is { } e ? TrustDuration.From(DateTimeOffset.UtcNow, e, "--expires") : null;
        using var hub = new HubClient(HubLogin.Resolve());
        var local = Local(pr, product, dir);
        var done = await new TrustAuthoring(hub, name, local, pr.GetValue(pin)).EditTargetsAsync(edit, new TrustSigners(pr.GetValue(rootKeys) ?? []), until, ct, reissue);
        Print(name, done, local);
        return 0;
    }

    /// <summary>A key scoped to a group ships wherever that group reaches, and the group's reach can have been set
    /// before the key existed: show it now, when the admin decides. After this, only an admin may widen it.</summary>
    private static async Task PrintGroupReachAsync(string group, CancellationToken ct)
    {
        using var hub = new HubClient(HubLogin.Resolve());
        var path = $"/api/v1/deployments/{Uri.EscapeDataString(group)}";
        if (await hub.FindAsync(path, "unknown_group", $"read deployment group '{group}'", ct) is not { } g)
        {
            Console.WriteLine($"  group {group} does not exist yet; once this key is trusted, only an admin may create it or set its reach");
            return;
        }

        var progress = await hub.GetAsync(path + "/progress", $"read the reach of deployment group '{group}'", ct);
        var requirement = HubOutput.S(g, "versionRequirement") is { Length: > 0 } req ? req : "any";
        Console.WriteLine($"  group {group} reaches {HubOutput.S(progress?["counts"], "targeted")} device(s) now: product {HubOutput.S(g, "product")}, " +
            $"tags {HubOutput.S(g, "tagMatch")} of [{HubOutput.List(g, "tags")}], version {requirement}; this key may ship to all of them " +
            "(check with 'fleet deployment show " + group + "'), and only an admin may widen the group later");
    }

    private static TrustScope ParseScope(string? text) =>
        TrustScope.TryParse(text, out var scope, out var error) ? scope : throw new CliFailure($"--scope: {error}");

    private static void Print(string product, TrustChange done, LocalTrustCopy local)
    {
        if (done.RootChanged)
        {
            Console.WriteLine($"root.json v{done.RootVersion} of {product} stored on the hub (expires {TrustDuration.Format(done.RootExpires)})");
        }

        if (done.TargetsChanged)
        {
            Console.WriteLine($"targets.json v{done.TargetsVersion} of {product} stored on the hub (expires {TrustDuration.Format(done.TargetsExpires!.Value)})");
        }

        Console.WriteLine($"  local copy: {local.Directory}");
    }
}
