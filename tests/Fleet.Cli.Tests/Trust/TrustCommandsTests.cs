using System.Net;
using System.Text.Json;
using Fleet.Protocol.Trust;
using Fleet.Testing;

namespace Fleet.Cli.Tests.Trust;

/// <summary><c>fleet trust</c> against a real hub: what the hub accepts after each command, and what it then lets a
/// signing key ship where.</summary>
public sealed class TrustCommandsTests
{
    private const string Product = TrustedProduct.Name;

    [Fact]
    public async Task Init_then_add_key_lets_the_key_ship_to_devices_in_its_scope_and_not_outside_it()
    {
        using var work = new TempDir("fleet-trust");
        await using var hub = await RunningHub.StartAsync();
        var p = await TrustedProduct.CreateAsync(work, hub);
        await p.Cli.OkAsync("keys", "create", "release");

        Assert.Contains("root.json v1 of algae-tank stored on the hub", await p.InitAsync());
        var state = await p.HubTrustAsync();
        Assert.Equal((1, 1), (state.GetProperty("rootVersion").GetInt64(), state.GetProperty("targetsVersion").GetInt64()));
        // The local copy holds exactly the bytes the hub serves.
        Assert.Equal(Convert.FromBase64String(state.GetProperty("roots")[0].GetString()!), await File.ReadAllBytesAsync(Path.Combine(p.TrustDir, "root.json")));
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(p.TrustDir, "root.json")), await File.ReadAllBytesAsync(Path.Combine(p.TrustDir, "1.root.json")));
        var loaded = TrustedMetadata.Load(Convert.FromBase64String(state.GetProperty("roots")[0].GetString()!), Convert.FromBase64String(state.GetProperty("targets").GetString()!));
        Assert.True(loaded.IsValid, loaded.Message);
        Assert.Empty(loaded.Value!.Targets.Delegations);

        Assert.Contains("targets.json v2 of algae-tank stored on the hub", await p.Cli.OkAsync("trust", "add-key", "--product", Product, "--key", "release.pub", "--scope", "tag:field"));
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(p.TrustDir, "targets.json")), Convert.FromBase64String((await p.HubTrustAsync()).GetProperty("targets").GetString()!));
        var show = await p.Cli.OkAsync("trust", "show", "--product", Product);
        Assert.Contains("root v1", show);
        Assert.Contains("targets v2", show);
        Assert.Matches(@"scope tag:field \(threshold 1\): release \([0-9a-f]{16}\)", show);
        Assert.Contains("root1 (", show);

        // Not registered with the hub: trusted through targets.json alone.
        var uuid = await p.PublishAsync("1.0.0", "release");
        await p.Cli.OkAsync("device", "provision", "tank-1", "--product", Product, "--tag", "field", "--output", "dev1");
        await p.Cli.OkAsync("device", "provision", "tank-2", "--product", Product, "--tag", "lab", "--output", "dev2");
        await p.Cli.OkAsync("deployment", "create", "field", "--product", Product, "--firmware", "1.0.0", "--tag", "field");
        var outOfScope = await p.Cli.RunAsync("deployment", "create", "lab", "--product", Product, "--firmware", "1.0.0", "--tag", "lab");
        Assert.Contains("key_not_allowed_for_group", TrustedProduct.AssertRefused(outOfScope));

        using var admin = hub.Admin();
        using var inScope = await admin.GetAsync($"/api/v1/firmware/{uuid}/bundle?serial=tank-1");
        using var refused = await admin.GetAsync($"/api/v1/firmware/{uuid}/bundle?serial=tank-2");
        Assert.Equal(HttpStatusCode.OK, inScope.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("key_not_allowed_for_device", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Adding_a_key_for_a_group_shows_how_far_that_group_reaches_now()
    {
        using var work = new TempDir("fleet-trust");
        await using var hub = await RunningHub.StartAsync();
        var p = await TrustedProduct.CreateAsync(work, hub);
        await p.Cli.OkAsync("keys", "create", "release");
        await p.Cli.OkAsync("keys", "create", "lab");
        await p.InitAsync();
        await p.Cli.OkAsync("trust", "add-key", "--product", Product, "--key", "release", "--scope", "any");
        await p.PublishAsync("1.0.0", "release");
        await p.Cli.OkAsync("device", "provision", "tank-1", "--product", Product, "--tag", "field", "--output", "dev1");
        await p.Cli.OkAsync("device", "provision", "tank-2", "--product", Product, "--tag", "field", "--output", "dev2");
        await p.Cli.OkAsync("device", "provision", "tank-3", "--product", Product, "--tag", "lab", "--output", "dev3");
        // Set before any key was scoped to it, when a manager could still do so.
        await p.Cli.OkAsync("deployment", "create", "test", "--product", Product, "--firmware", "1.0.0", "--tag", "field");

        var added = await p.Cli.OkAsync("trust", "add-key", "--product", Product, "--key", "lab", "--scope", "group:test");

        Assert.Contains($"group test reaches 2 device(s) now: product {Product}, tags all of [field], version any; this key may ship to all of them", added);
    }

    [Fact]
    public async Task Revoke_key_makes_the_hub_refuse_that_keys_releases_and_devices_get_targets_without_it()
    {
        using var work = new TempDir("fleet-trust");
        await using var hub = await RunningHub.StartAsync();
        var p = await TrustedProduct.CreateAsync(work, hub);
        await p.Cli.OkAsync("keys", "create", "release");
        await p.Cli.OkAsync("keys", "create", "backup");
        await p.InitAsync();
        await p.Cli.OkAsync("trust", "add-key", "--product", Product, "--key", "release", "--scope", "any");
        Assert.Contains("group test does not exist yet; once this key is trusted, only an admin may create it",
            await p.Cli.OkAsync("trust", "add-key", "--product", Product, "--key-file", work.Combine("config", "keys", "backup.pub"), "--scope", "group:test"));
        await p.PublishAsync("1.0.0", "release");
        await p.Cli.OkAsync("deployment", "create", "production", "--product", Product, "--firmware", "1.0.0");

        var revoked = await p.Cli.OkAsync("trust", "revoke-key", "--product", Product, "--key", "release");
        Assert.Contains("targets.json v4", revoked);

        var release = await p.Cli.RunAsync("deployment", "create", "later", "--product", Product, "--firmware", "1.0.0");
        Assert.Contains("key_not_trusted", TrustedProduct.AssertRefused(release));
        var upload = await p.Cli.RunAsync("firmware", "publish", await p.BundleAsync("1.0.1", "release"));
        TrustedProduct.AssertRefused(upload);
        var show = await p.Cli.OkAsync("trust", "show", "--product", Product);
        Assert.DoesNotContain("release (", show);
        Assert.Contains("scope group:test (threshold 1): backup (", show);

        // A device provisioned now trusts the backup key only; one already running gets the same targets from the hub.
        await p.Cli.OkAsync("device", "provision", "tank-1", "--product", Product, "--output", "dev1");
        var (rootBytes, targetsBytes) = (await File.ReadAllBytesAsync(work.Combine("dev1", "trust", "root.json")), await File.ReadAllBytesAsync(work.Combine("dev1", "trust", "targets.json")));
        var targets = TrustedMetadata.Load(rootBytes, targetsBytes);
        Assert.True(targets.IsValid, targets.Message);
        Assert.Equal(4, targets.Value!.Targets.Version);
        Assert.Equal(["group-test"], targets.Value.Targets.Delegations.Select(d => d.Name));

        var again = await p.Cli.RunAsync("trust", "revoke-key", "--product", Product, "--key", "release");
        Assert.Contains("nothing to revoke", TrustedProduct.AssertRefused(again));
    }

    [Fact]
    public async Task Rotate_key_hands_the_old_keys_scopes_to_the_new_key_and_renew_extends_targets()
    {
        using var work = new TempDir("fleet-trust");
        await using var hub = await RunningHub.StartAsync();
        var p = await TrustedProduct.CreateAsync(work, hub);
        await p.Cli.OkAsync("keys", "create", "old");
        await p.Cli.OkAsync("keys", "create", "new");
        await p.InitAsync("--expires", "30d");
        await p.Cli.OkAsync("trust", "add-key", "--product", Product, "--key", "old", "--scope", "tag:field");
        await p.Cli.OkAsync("trust", "add-key", "--product", Product, "--key", "old", "--scope", "device:tank-9");

        Assert.Contains("targets.json v4", await p.Cli.OkAsync("trust", "rotate-key", "--product", Product, "--old", "old", "--new", "new"));
        var show = await p.Cli.OkAsync("trust", "show", "--product", Product);
        Assert.Matches(@"scope tag:field \(threshold 1\): new \(", show);
        Assert.Matches(@"scope device:tank-9 \(threshold 1\): new \(", show);
        Assert.DoesNotContain("old (", show);
        await p.PublishAsync("1.0.0", "new");
        TrustedProduct.AssertRefused(await p.Cli.RunAsync("firmware", "publish", await p.BundleAsync("1.0.1", "old")));

        // Revoked for one scope only, the key keeps its other scope; the emptied scope is dropped.
        Assert.Contains("targets.json v5", await p.Cli.OkAsync("trust", "revoke-key", "--product", Product, "--key", "new", "--scope", "device:tank-9"));
        show = await p.Cli.OkAsync("trust", "show", "--product", Product);
        Assert.Matches(@"scope tag:field \(threshold 1\): new \(", show);
        Assert.DoesNotContain("device:tank-9", show);

        var before = JsonDocument.Parse(await p.Cli.OkAsync("trust", "show", "--product", Product, "--json")).RootElement;
        Assert.Contains("targets.json v6", await p.Cli.OkAsync("trust", "renew", "--product", Product, "--expires", "400d"));
        var after = JsonDocument.Parse(await p.Cli.OkAsync("trust", "show", "--product", Product, "--json")).RootElement;
        var was = DateTimeOffset.Parse(before.GetProperty("targets").GetProperty("expires").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var now = DateTimeOffset.Parse(after.GetProperty("targets").GetProperty("expires").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(now - was > TimeSpan.FromDays(300), $"{was} -> {now}");
        Assert.Equal(before.GetProperty("targets").GetProperty("scopes").ToString(), after.GetProperty("targets").GetProperty("scopes").ToString());

        Assert.Contains("root.json v2", await p.Cli.OkAsync("trust", "renew", "--product", Product, "--root", "--expires", "400d"));
        Assert.Equal(2, (await p.HubTrustAsync()).GetProperty("rootVersion").GetInt64());
    }
}
