using Fleet.Testing;

namespace Fleet.Cli.Tests.Trust;

/// <summary>Each bad input to <c>fleet trust</c> and <c>fleet keys root</c>: one line, non-zero exit, and neither the hub
/// nor the local copy changed.</summary>
public sealed class TrustRefusalTests
{
    private const string Product = TrustedProduct.Name;

    [Fact]
    public async Task Bad_input_is_refused_with_one_line_and_changes_nothing()
    {
        using var work = new TempDir("fleet-trust-refusal");
        await using var hub = await RunningHub.StartAsync();
        var p = await TrustedProduct.CreateAsync(work, hub);
        await p.Cli.OkAsync("keys", "create", "release");

        Assert.Contains("has no trust metadata on the hub yet", Refused(await p.Cli.RunAsync("trust", "add-key", "--product", Product, "--key", "release", "--scope", "any")));
        Assert.Contains("--threshold 2 needs between 1 and 1 root keys", Refused(await p.Cli.RunAsync("trust", "init", "--product", Product, "--root-key", "root1", "--threshold", "2")));
        Assert.Contains("no root key 'nosuch'", Refused(await p.Cli.RunAsync("trust", "init", "--product", Product, "--root-key", "nosuch")));
        Assert.Contains("names the same key", Refused(await p.Cli.RunAsync("trust", "init", "--product", Product, "--root-key", "root1", "--root-key", "root1")));
        Assert.Contains("--expires 'forever' is not a lifetime", Refused(await p.Cli.RunAsync("trust", "init", "--product", Product, "--root-key", "root1", "--expires", "forever")));
        Assert.Contains("no product 'nope'", Refused(await p.Cli.RunAsync("trust", "init", "--product", "nope", "--root-key", "root1")));
        Assert.False(Directory.Exists(p.TrustDir));
        Assert.True((await p.HubTrustAsync()).GetProperty("rootVersion").ValueKind == System.Text.Json.JsonValueKind.Null);

        await p.InitAsync();
        var root = await File.ReadAllBytesAsync(Path.Combine(p.TrustDir, "root.json"));
        var targets = await File.ReadAllBytesAsync(Path.Combine(p.TrustDir, "targets.json"));
        Assert.Contains("has trust metadata already (root v1)", Refused(await p.Cli.RunAsync("trust", "init", "--product", Product, "--root-key", "root1")));
        Assert.Contains("scope 'team:x' is not one of", Refused(await p.Cli.RunAsync("trust", "add-key", "--product", Product, "--key", "release", "--scope", "team:x")));
        Assert.Contains("pass either --key or --key-file", Refused(await p.Cli.RunAsync("trust", "add-key", "--product", Product, "--key", "release", "--key-file", "x.pub", "--scope", "any")));
        Assert.Contains("no public key 'ghost'", Refused(await p.Cli.RunAsync("trust", "add-key", "--product", Product, "--key", "ghost", "--scope", "any")));
        Assert.Contains("nothing to revoke", Refused(await p.Cli.RunAsync("trust", "revoke-key", "--product", Product, "--key", "release")));
        Assert.Contains("are the same key", Refused(await p.Cli.RunAsync("trust", "rotate-key", "--product", Product, "--old", "release", "--new", "release")));
        await p.Cli.OkAsync("keys", "create", "next");
        Assert.Contains("nothing to rotate", Refused(await p.Cli.RunAsync("trust", "rotate-key", "--product", Product, "--old", "release", "--new", "next")));
        Assert.Contains("rotate-root changes nothing", Refused(await p.Cli.RunAsync("trust", "rotate-root", "--product", Product)));
        await p.Cli.OkAsync("trust", "add-key", "--product", Product, "--key", "release", "--scope", "any");
        Assert.Contains("already trusted for scope any", Refused(await p.Cli.RunAsync("trust", "add-key", "--product", Product, "--key", "release", "--scope", "any")));
        Assert.NotEqual(targets, await File.ReadAllBytesAsync(Path.Combine(p.TrustDir, "targets.json")));
        Assert.Equal(root, await File.ReadAllBytesAsync(Path.Combine(p.TrustDir, "root.json")));
    }

    [Fact]
    public async Task Bad_key_root_and_permit_arguments_are_refused_with_one_line_and_change_nothing()
    {
        using var work = new TempDir("fleet-trust-refusal");
        await using var hub = await RunningHub.StartAsync();
        var p = await TrustedProduct.CreateAsync(work, hub);
        await p.Cli.OkAsync("keys", "create", "release");
        await p.Cli.OkAsync("keys", "root", "create", "spare");
        await p.InitAsync();
        await p.Cli.OkAsync("trust", "add-key", "--product", Product, "--key", "release", "--scope", "any");
        var uuid = await p.PublishAsync("1.0.0", "release");
        var before = (await p.HubTrustAsync()).ToString();

        Assert.Contains("name the signing key with --key", Refused(await p.Cli.RunAsync("trust", "add-key", "--product", Product, "--scope", "any")));
        Assert.Contains("no key with that id", Refused(await p.Cli.RunAsync("trust", "revoke-key", "--product", Product, "--key", "0123456789abcdef")));
        Assert.Contains("is not a root key of root v1", Refused(await p.Cli.RunAsync("trust", "rotate-root", "--product", Product, "--remove-root-key", "spare")));
        Assert.Contains("the new root would have no root key", Refused(await p.Cli.RunAsync("trust", "rotate-root", "--product", Product, "--remove-root-key", "root1")));
        Assert.Contains("--threshold 3 needs between 1 and 2 root keys", Refused(await p.Cli.RunAsync("trust", "rotate-root", "--product", Product, "--add-root-key", "spare", "--threshold", "3")));
        Assert.Contains("--replaces names no version", Refused(await p.Cli.RunAsync("firmware", "permit-downgrade", "--firmware", uuid, "--replaces", ",", "--key", "release")));
        Assert.Contains("--product 'bad/name' is not a product name", Refused(await p.Cli.RunAsync("trust", "show", "--product", "bad/name")));

        Assert.Equal(before, (await p.HubTrustAsync()).ToString());
    }

    [Fact]
    public async Task A_failed_put_leaves_the_local_copy_untouched()
    {
        using var work = new TempDir("fleet-trust-refusal");
        await using var hub = await RunningHub.StartAsync();
        var p = await TrustedProduct.CreateAsync(work, hub);
        await p.Cli.OkAsync("keys", "create", "release");
        await p.InitAsync();
        var targets = await File.ReadAllBytesAsync(Path.Combine(p.TrustDir, "targets.json"));

        // A viewer may read the metadata, so everything is signed, but the hub refuses the PUT.
        var viewer = await hub.CreateUserAsync("viewer", "view");
        await p.Cli.LoginAsync(hub.Url, viewer, hub.CaCertPath);
        var refused = await p.Cli.RunAsync("trust", "add-key", "--product", Product, "--key", "release", "--scope", "any");
        Assert.Equal(3, refused.ExitCode);
        // What was about to be signed is shown first, then the one refusal.
        Assert.Contains("hub refused to store targets.json v2", TrustedProduct.AssertRefusedAfterSummary(refused));
        Assert.Equal(targets, await File.ReadAllBytesAsync(Path.Combine(p.TrustDir, "targets.json")));
        Assert.Equal(1, (await p.HubTrustAsync()).GetProperty("targetsVersion").GetInt64());
    }

    [Fact]
    public async Task A_hub_that_lost_the_metadata_of_the_local_copy_is_not_built_upon()
    {
        using var work = new TempDir("fleet-trust-refusal");
        await using var first = await RunningHub.StartAsync();
        var p = await TrustedProduct.CreateAsync(work, first);
        await p.Cli.OkAsync("keys", "create", "release");
        await p.InitAsync();
        await p.Cli.OkAsync("trust", "add-key", "--product", Product, "--key", "release", "--scope", "any");
        var targets = await File.ReadAllBytesAsync(Path.Combine(p.TrustDir, "targets.json"));

        // The same product on a hub that has none of it (e.g. restored from an old backup).
        await using var second = await RunningHub.StartAsync();
        await p.Cli.LoginAsync(second.Url, second.AdminToken, second.CaCertPath);
        await p.Cli.OkAsync("product", "create", Product);
        Assert.Contains("does not match root v1 in", Refused(await p.Cli.RunAsync("trust", "add-key", "--product", Product, "--key", "release", "--scope", "tag:x")));
        Assert.Contains("holds trust metadata already, but the hub has none", Refused(await p.Cli.RunAsync("trust", "init", "--product", Product, "--root-key", "root1")));
        Assert.Equal(targets, await File.ReadAllBytesAsync(Path.Combine(p.TrustDir, "targets.json")));
    }

    [Fact]
    public async Task Root_keys_are_created_0600_and_never_overwritten()
    {
        using var work = new TempDir("fleet-trust-refusal");
        var cli = new FleetCli(work.Combine("config"));
        await cli.RunOkAsync(work.Path, "keys", "root", "create", "offline", "--dir", "usb");
        var key = work.Combine("usb", "offline.key");
        Assert.Equal(0b110_000_000, Posix.Mode(key));
        var text = await File.ReadAllTextAsync(key);
        Assert.Equal("PRIVATE KEY", text[System.Security.Cryptography.PemEncoding.Find(text).Label]);
        Assert.Equal(48, Convert.FromBase64String(string.Concat((await File.ReadAllTextAsync(key)).Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)))).Length);
        var before = await File.ReadAllBytesAsync(key);

        var again = await cli.RunAsync(work.Path, "keys", "root", "create", "offline", "--dir", "usb");
        Assert.Contains("already exists", FleetCli.AssertOneLineFailure(again));
        Assert.Equal(before, await File.ReadAllBytesAsync(key));
        Assert.Contains("invalid root key name", FleetCli.AssertOneLineFailure(await cli.RunAsync(work.Path, "keys", "root", "create", "../x")));
    }

    private static string Refused(Fleet.Testing.ProcessResult result) => TrustedProduct.AssertRefused(result);
}
