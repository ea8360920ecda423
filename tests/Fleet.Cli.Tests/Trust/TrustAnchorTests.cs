using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;
using Fleet.Testing;

namespace Fleet.Cli.Tests.Trust;

/// <summary>The device's first root, and every signature built on the hub's metadata, rest on what the operator trusts
/// independently of the hub: this machine's trust copy, or a root.json SHA-256 passed as --trust-root-sha256. A hub that
/// serves other metadata is refused before a device is registered or anything is signed.</summary>
public sealed class TrustAnchorTests
{
    private const string Product = TrustedProduct.Name;

    [Fact]
    public async Task A_hub_serving_another_root_is_refused_before_the_device_is_registered()
    {
        using var work = new TempDir("fleet-anchor");
        using var elsewhere = new TempDir("fleet-anchor-other");
        await using var real = await RunningHub.StartAsync();
        await using var other = await RunningHub.StartAsync();
        var p = await TrustedProduct.CreateAsync(work, real);
        await p.Cli.OkAsync("keys", "create", "release");
        await p.InitAsync();
        await p.Cli.OkAsync("trust", "add-key", "--product", Product, "--key", "release", "--scope", "any");
        var uuid = await p.PublishAsync("1.0.0", "release");
        var realHash = await RootHashAsync(p);

        // The same product on a hub that someone else controls: first without trust metadata (devices would fall back
        // to the registered keys the hub hands out), then with a root of their own key.
        var mallory = await TrustedProduct.CreateAsync(elsewhere, other);
        await p.Cli.LoginAsync(other.Url, other.AdminToken, other.CaCertPath);
        var stripped = await p.Cli.RunAsync("device", "provision", "tank-1", "--product", Product, "--output", "dev1");
        Assert.Contains("the hub serves no root for 'algae-tank', which does not match root v1 in", Refused(stripped));
        await mallory.InitAsync();
        var replaced = await p.Cli.RunAsync("device", "provision", "tank-1", "--product", Product, "--output", "dev1");
        Assert.Contains("the hub serves root v1 for 'algae-tank', which does not match root v1 in", Refused(replaced));
        var image = await Burn.PiImage.CreateAsync(work.Path);
        var burned = await p.Cli.RunAsync("device", "burn", "tank-2", "--image", image.Path, "--target", "card.img", "--product", Product, "--bundle", "none.fwb");
        Assert.Contains("does not match root v1 in", Refused(burned));
        Assert.False(File.Exists(work.Combine("card.img")));
        Assert.False(Directory.Exists(work.Combine("config", "devices", "tank-2")) && Directory.EnumerateFileSystemEntries(work.Combine("config", "devices", "tank-2")).Any());
        // Nor does anything get signed on top of that hub's metadata, nor a hash to pin shown from it.
        Assert.Contains("does not match root v1 in", Refused(await p.Cli.RunAsync("trust", "add-key", "--product", Product, "--key", "release", "--scope", "tag:x")));
        Assert.Contains("does not match root v1 in", Refused(await p.Cli.RunAsync("trust", "show", "--product", Product)));

        // Without the local copy, the operator's pin of the real root does not match the other hub's chain either.
        var copy = p.TrustDir + ".away";
        Directory.Move(p.TrustDir, copy);
        var noAnchor = await p.Cli.RunAsync("device", "provision", "tank-1", "--product", Product, "--output", "dev1");
        Assert.Contains("there is no trust copy in", Refused(noAnchor));
        Assert.Contains("--trust-root-sha256", Refused(noAnchor));
        var pinned = await p.Cli.RunAsync("device", "provision", "tank-1", "--product", Product, "--output", "dev1", "--trust-root-sha256", realHash);
        Assert.Contains($"has SHA-256 {realHash}", Refused(pinned));
        Assert.Contains("has SHA-256", Refused(await p.Cli.RunAsync("trust", "add-key", "--product", Product, "--key", "release", "--scope", "tag:x", "--trust-root-sha256", realHash)));
        Assert.False(Directory.Exists(work.Combine("dev1")));
        Assert.False(Directory.Exists(p.TrustDir));
        using (var admin = other.Admin())
        {
            Assert.DoesNotContain("tank-1", await admin.GetStringAsync("/api/v1/devices"));
            Assert.DoesNotContain("tank-2", await admin.GetStringAsync("/api/v1/devices"));
        }

        // A permit is not signed against a hub that disagrees with the trust copy either.
        Directory.Move(copy, p.TrustDir);
        await p.Cli.LoginAsync(real.Url, real.AdminToken, real.CaCertPath);
        var kept = p.TrustDir + ".kept";
        Directory.Move(p.TrustDir, kept);
        CopyDirectory(mallory.TrustDir, p.TrustDir);
        var permit = await p.Cli.RunAsync("firmware", "permit-downgrade", "--firmware", uuid, "--replaces", "2.0.0", "--key", "release");
        Assert.Contains("does not match root v1 in", Refused(permit));
        Directory.Delete(p.TrustDir, recursive: true);
        Directory.Move(kept, p.TrustDir);
        using (var admin = real.Admin())
        {
            Assert.DoesNotContain("firmware.permit", await admin.GetStringAsync($"/api/v1/audit?subject=firmware:{uuid}"));
        }

        // The real hub, with the local copy: provisioned.
        await p.Cli.OkAsync("device", "provision", "tank-1", "--product", Product, "--output", "dev1");
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(p.TrustDir, "root.json")), await File.ReadAllBytesAsync(work.Combine("dev1", "trust", "root.json")));
    }

    [Fact]
    public async Task Without_the_trust_copy_provisioning_and_signing_need_the_roots_hash()
    {
        using var work = new TempDir("fleet-anchor");
        await using var hub = await RunningHub.StartAsync();
        var p = await TrustedProduct.CreateAsync(work, hub);
        await p.Cli.OkAsync("keys", "create", "release");
        await p.InitAsync();
        var v1 = await RootHashAsync(p);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(p.TrustDir, "root.json")))), v1);
        Assert.Contains($"sha256 {v1} (matches the local copy)", await p.Cli.OkAsync("trust", "show", "--product", Product));
        await p.Cli.OkAsync("keys", "root", "create", "root2");
        await p.Cli.OkAsync("trust", "rotate-root", "--product", Product, "--add-root-key", "root2");
        var v2 = await RootHashAsync(p);
        var served = Convert.FromBase64String((await p.HubTrustAsync()).GetProperty("roots")[1].GetString()!);

        // A machine without the copy (here: the copy moved away).
        Directory.Move(p.TrustDir, p.TrustDir + ".away");
        Assert.Contains("NOT checked: no local trust copy here", await p.Cli.OkAsync("trust", "show", "--product", Product));
        var unanchored = await p.Cli.RunAsync("device", "provision", "tank-1", "--product", Product, "--output", "dev1");
        Assert.Contains("product 'algae-tank' has trust metadata on the hub (root v2) but there is no trust copy in", Refused(unanchored));
        Assert.Contains("device 'tank-1' was not registered", Refused(unanchored));
        var wrong = Convert.ToHexStringLower(SHA256.HashData("another root"u8.ToArray()));
        Assert.Contains($"has SHA-256 {wrong}", Refused(await p.Cli.RunAsync("device", "provision", "tank-1", "--product", Product, "--output", "dev1", "--trust-root-sha256", wrong)));
        Assert.Contains("is not a SHA-256 (64 hex digits)", Refused(await p.Cli.RunAsync("device", "provision", "tank-1", "--product", Product, "--output", "dev1", "--trust-root-sha256", "abc")));
        Assert.Contains("there is no trust copy in", Refused(await p.Cli.RunAsync("trust", "add-key", "--product", Product, "--key", "release", "--scope", "any")));
        Assert.Contains("there is no trust copy in", Refused(await p.Cli.RunAsync("trust", "renew", "--product", Product)));
        Assert.Contains("there is no trust copy in", Refused(await p.Cli.RunAsync("trust", "rotate-root", "--product", Product, "--threshold", "2")));
        Assert.False(Directory.Exists(work.Combine("dev1")));
        Assert.False(Directory.Exists(p.TrustDir));
        Assert.Equal(2, (await p.HubTrustAsync()).GetProperty("targetsVersion").GetInt64());
        using (var admin = hub.Admin())
        {
            Assert.DoesNotContain("tank-1", await admin.GetStringAsync("/api/v1/devices"));
        }

        // The hash of the served root, or of an earlier root the served one chains from: the device gets the served root.
        await p.Cli.OkAsync("device", "provision", "tank-1", "--product", Product, "--output", "dev1", "--trust-root-sha256", v2.ToUpperInvariant());
        Assert.Equal(served, await File.ReadAllBytesAsync(work.Combine("dev1", "trust", "root.json")));
        await p.Cli.OkAsync("device", "provision", "tank-2", "--product", Product, "--output", "dev2", "--trust-root-sha256", v1);
        Assert.Equal(served, await File.ReadAllBytesAsync(work.Combine("dev2", "trust", "root.json")));

        // Signing with the pin: what changes is shown first, and this machine keeps a trust copy from then on.
        var added = await p.Cli.RunAsync("trust", "add-key", "--product", Product, "--key", "release", "--scope", "any", "--trust-root-sha256", v1);
        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Contains("signing targets.json v3 of algae-tank (replaces v2)", added.StandardError);
        Assert.Contains("+ scope any: key release (", added.StandardError);
        Assert.Equal(served, await File.ReadAllBytesAsync(Path.Combine(p.TrustDir, "root.json")));
        await p.Cli.OkAsync("device", "provision", "tank-3", "--product", Product, "--output", "dev3");
    }

    [Fact]
    public async Task Targets_that_verify_only_under_an_earlier_root_are_not_built_upon()
    {
        using var work = new TempDir("fleet-anchor");
        await using var hub = await RunningHub.StartAsync();
        var p = await TrustedProduct.CreateAsync(work, hub);
        await p.Cli.OkAsync("keys", "create", "release");
        await p.Cli.OkAsync("keys", "create", "other");
        await p.InitAsync();
        await p.Cli.OkAsync("trust", "add-key", "--product", Product, "--key", "release", "--scope", "any");
        await p.Cli.OkAsync("keys", "root", "create", "targets2");

        // Root v2 hands targets to a new key, and targets were never signed anew by it (an interrupted rotation): the
        // hub serves targets v2 that only root v1 vouches for.
        var state = await p.HubTrustAsync();
        var root1 = SigningKey.Load(Path.Combine(p.RootKeysDir, "root1.key"));
        var online = new RoleSpec([VerifyingKey.FromPem(state.GetProperty("onlineKey").GetString()!)], 1);
        var v2 = SignedEnvelope.Sign(TrustDocuments.Root(Product, 2, DateTimeOffset.UtcNow.AddDays(300), new RoleSpec([root1.PublicKey], 1),
            new RoleSpec([VerifyingKey.Load(Path.Combine(p.RootKeysDir, "targets2.pub"))], 1), online, online), [root1]);
        using (var admin = hub.Admin())
        {
            using var put = await admin.PutAsync($"/api/v1/products/{Product}/trust/root", new ByteArrayContent(v2));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var before = (await p.HubTrustAsync()).ToString();
        var stale = Refused(await p.Cli.RunAsync("trust", "add-key", "--product", Product, "--key", "other", "--scope", "tag:x"));
        Assert.Contains("targets.json v2 of 'algae-tank' on the hub is not signed by the targets keys of the current root v2", stale);
        Assert.Contains("--reissue", stale);
        Assert.Contains("is not signed by the targets keys", Refused(await p.Cli.RunAsync("trust", "revoke-key", "--product", Product, "--key", "release")));
        Assert.Contains("is not signed by the targets keys", Refused(await p.Cli.RunAsync("trust", "rotate-key", "--product", Product, "--old", "release", "--new", "other")));
        Assert.Contains("is not signed by the targets keys", Refused(await p.Cli.RunAsync("trust", "renew", "--product", Product, "--root-key", "targets2")));
        var provision = Refused(await p.Cli.RunAsync("device", "provision", "tank-1", "--product", Product, "--output", "dev1"));
        Assert.Contains("device 'tank-1' was not registered: targets.json v2", provision);
        Assert.False(Directory.Exists(work.Combine("dev1")));
        Assert.Contains("targets v2: NOT signed by the targets keys of root v2", await p.Cli.OkAsync("trust", "show", "--product", Product));
        Assert.Equal(before, (await p.HubTrustAsync()).ToString());

        // Re-issued explicitly: version on from the floor, and only the delegation named now.
        var reissued = await p.Cli.RunAsync("trust", "add-key", "--product", Product, "--key", "other", "--scope", "tag:x", "--reissue", "--root-key", "targets2");
        Assert.True(reissued.ExitCode == 0, reissued.ToString());
        Assert.Contains("re-issued: the delegations of v2 are not carried over", reissued.StandardError);
        Assert.Contains("targets.json v3 of algae-tank stored on the hub", reissued.StandardOutput);
        var after = await p.HubTrustAsync();
        var roots = after.GetProperty("roots").EnumerateArray().Select(r => Convert.FromBase64String(r.GetString()!)).ToList();
        var targets = TrustVerifier.VerifyTargets(Convert.FromBase64String(after.GetProperty("targets").GetString()!),
            TrustVerifier.VerifyRoot(roots[1], TrustVerifier.VerifyInitialRoot(roots[0]).Value!).Value!, null, DateTimeOffset.UtcNow);
        Assert.True(targets.IsValid, targets.Message);
        Assert.Equal(["tag-x"], targets.Value!.Delegations.Select(d => d.Name));
        Assert.Contains("nothing to re-issue", Refused(await p.Cli.RunAsync("trust", "add-key", "--product", Product, "--key", "release", "--scope", "any", "--reissue", "--root-key", "targets2")));
        await p.Cli.OkAsync("device", "provision", "tank-1", "--product", Product, "--output", "dev1");
    }

    private static async Task<string> RootHashAsync(TrustedProduct p)
    {
        using var shown = JsonDocument.Parse(await p.Cli.OkAsync("trust", "show", "--product", Product, "--json"));
        return shown.RootElement.GetProperty("root").GetProperty("sha256").GetString()!;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    private static string Refused(ProcessResult result) => TrustedProduct.AssertRefused(result);
}
