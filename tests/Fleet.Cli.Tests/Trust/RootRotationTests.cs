using System.Net;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;
using Fleet.Testing;

namespace Fleet.Cli.Tests.Trust;

/// <summary><c>fleet trust rotate-root</c>: the next root is signed by the current root keys and the new ones (TUF 5.3),
/// and a root that only the new key signed is refused by the hub.</summary>
public sealed class RootRotationTests
{
    private const string Product = TrustedProduct.Name;

    [Fact]
    public async Task Rotate_root_to_a_new_key_is_accepted_and_a_root_signed_only_by_the_new_key_is_refused()
    {
        using var work = new TempDir("fleet-trust-root");
        await using var hub = await RunningHub.StartAsync();
        var p = await TrustedProduct.CreateAsync(work, hub);
        await p.Cli.OkAsync("keys", "create", "release");
        await p.InitAsync();
        await p.Cli.OkAsync("trust", "add-key", "--product", Product, "--key", "release", "--scope", "any");
        await p.Cli.OkAsync("keys", "root", "create", "root2");
        var before = Convert.FromBase64String((await p.HubTrustAsync()).GetProperty("targets").GetString()!);

        var rotation = await p.Cli.RunAsync("trust", "rotate-root", "--product", Product, "--add-root-key", "root2", "--remove-root-key", "root1");
        Assert.True(rotation.ExitCode == 0, rotation.ToString());
        var rotated = rotation.StandardOutput;
        // What changes is shown before it is signed.
        Assert.Contains("signing root.json v2 of algae-tank (replaces v1)", rotation.StandardError);
        Assert.Contains("+ root key root2 (", rotation.StandardError);
        Assert.Contains("- root key root1 (", rotation.StandardError);
        Assert.Contains("+ targets key root2 (", rotation.StandardError);
        Assert.Contains("targets.json v3 is signed by the new targets keys, same delegations", rotation.StandardError);
        Assert.Contains("root.json v2 of algae-tank stored on the hub", rotated);
        // The root keys signed targets, so targets follow them: signed anew by root2, same delegations.
        Assert.Contains("targets.json v3 of algae-tank stored on the hub", rotated);

        var state = await p.HubTrustAsync();
        var roots = state.GetProperty("roots").EnumerateArray().Select(r => Convert.FromBase64String(r.GetString()!)).ToList();
        Assert.Equal(2, roots.Count);
        var v1 = TrustVerifier.VerifyInitialRoot(roots[0]).Value!;
        var v2 = TrustVerifier.VerifyRoot(roots[1], v1);
        Assert.True(v2.IsValid, v2.Message);
        var root2 = SigningKey.Load(Path.Combine(p.RootKeysDir, "root2.key"));
        Assert.Equal([TufKey.From(root2.PublicKey).KeyId], v2.Value!.Role(TufRoles.Root).KeyIds);
        // A device that trusts v1 moves to v2 and keeps trusting the release key.
        var device = TrustedMetadata.Load(roots[0], before).Value!.Update(roots, Convert.FromBase64String(state.GetProperty("targets").GetString()!), DateTimeOffset.UtcNow);
        Assert.True(device.IsValid, device.Message);
        Assert.Equal((2, 3), (device.Value!.Root.Version, device.Value.Targets.Version));
        Assert.Single(device.Value.Targets.Delegations);
        Assert.Equal(2, Directory.GetFiles(p.TrustDir, "*.root.json").Length);
        Assert.Equal(roots[1], await File.ReadAllBytesAsync(Path.Combine(p.TrustDir, "root.json")));

        // Targets are now signed by root2 alone.
        await p.Cli.OkAsync("keys", "create", "ci");
        Assert.Contains("targets.json v4", await p.Cli.OkAsync("trust", "add-key", "--product", Product, "--key", "ci", "--scope", "group:test", "--root-key", "root2"));
        var oldKey = await p.Cli.RunAsync("trust", "add-key", "--product", Product, "--key", "ci", "--scope", "group:lab", "--root-key", "root1");
        Assert.Contains("is not one of the keys of the current targets role", TrustedProduct.AssertRefused(oldKey));

        // Root v3 naming a stranger's key and signed only by it: the hub refuses it, it does not chain from v2.
        var stranger = SigningKey.Generate();
        var online = VerifyingKey.FromPem(state.GetProperty("onlineKey").GetString()!);
        var self = new RoleSpec([stranger.PublicKey], 1);
        var forged = SignedEnvelope.Sign(TrustDocuments.Root(Product, 3, DateTimeOffset.UtcNow.AddDays(30), self, self, new RoleSpec([online], 1), new RoleSpec([online], 1)), [stranger]);
        using var admin = hub.Admin();
        using var refused = await admin.PutAsync($"/api/v1/products/{Product}/trust/root", new ByteArrayContent(forged));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("ThresholdNotMet", await refused.Content.ReadAsStringAsync());
        Assert.Equal(2, (await p.HubTrustAsync()).GetProperty("rootVersion").GetInt64());

        // The CLI does not sign with a key the current root does not list.
        await p.Cli.OkAsync("keys", "root", "create", "root3");
        var onlyNew = await p.Cli.RunAsync("trust", "rotate-root", "--product", Product, "--root-key", "root3", "--add-root-key", "root3");
        Assert.Contains("is not one of the keys of the current root role", TrustedProduct.AssertRefused(onlyNew));
        Assert.Equal(roots[1], await File.ReadAllBytesAsync(Path.Combine(p.TrustDir, "root.json")));
    }

    [Fact]
    public async Task With_a_threshold_of_two_root_keys_one_key_cannot_rotate_the_root_and_two_can_replace_a_lost_one()
    {
        using var work = new TempDir("fleet-trust-root");
        await using var hub = await RunningHub.StartAsync();
        var p = await TrustedProduct.CreateAsync(work, hub);
        await p.Cli.OkAsync("keys", "root", "create", "root2");
        await p.Cli.OkAsync("keys", "root", "create", "root3");
        await p.Cli.OkAsync("keys", "root", "create", "root4");
        await p.InitAsync("--root-key", "root2", "--root-key", "root3", "--threshold", "2");

        var one = await p.Cli.RunAsync("trust", "rotate-root", "--product", Product, "--root-key", "root1", "--add-root-key", "root4");
        Assert.Contains("needs 2 signature(s)", TrustedProduct.AssertRefused(one));
        Assert.Equal(1, (await p.HubTrustAsync()).GetProperty("rootVersion").GetInt64());

        // root3 is lost: root1 and root2 still reach the threshold, and replace it with root4.
        File.Delete(Path.Combine(p.RootKeysDir, "root3.key"));
        var replaced = await p.Cli.OkAsync("trust", "rotate-root", "--product", Product, "--root-key", "root1", "--root-key", "root2",
            "--add-root-key", "root4", "--remove-root-key", Path.Combine(p.RootKeysDir, "root3.pub"));
        Assert.Contains("root.json v2", replaced);
        var show = await p.Cli.OkAsync("trust", "show", "--product", Product);
        Assert.Matches(@"root\s+threshold 2: .*root4", show);
        Assert.DoesNotContain("root3", show);
    }
}
