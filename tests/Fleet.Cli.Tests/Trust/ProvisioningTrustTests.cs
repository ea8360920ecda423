using System.Text.Json;
using Fleet.Protocol.Trust;
using Fleet.Testing;

namespace Fleet.Cli.Tests.Trust;

/// <summary>Provisioning writes <c>provisioning/trust/</c> (root.json, targets.json, membership.json) as the agent's
/// DeviceTrust reads it, when the product has TUF metadata, and nothing of it when not.</summary>
public sealed class ProvisioningTrustTests
{
    private const string Product = TrustedProduct.Name;

    [Fact]
    public async Task Provisioning_writes_the_hubs_exact_trust_files_and_the_devices_tags_readable_by_all()
    {
        using var work = new TempDir("fleet-provision-trust");
        await using var hub = await RunningHub.StartAsync();
        var p = await TrustedProduct.CreateAsync(work, hub);
        await p.Cli.OkAsync("keys", "create", "release");

        await p.Cli.OkAsync("device", "provision", "tank-0", "--product", Product, "--output", "legacy");
        Assert.False(Directory.Exists(work.Combine("legacy", "trust")));

        await p.InitAsync();
        await p.Cli.OkAsync("trust", "add-key", "--product", Product, "--key", "release", "--scope", "tag:field");
        var output = await p.Cli.OkAsync("device", "provision", "tank-1", "--product", Product, "--tag", "field", "--tag", "north", "--output", "dev1");
        Assert.Contains("trust/ (root.json, targets.json, membership.json)", output);

        var state = await p.HubTrustAsync();
        var trust = work.Combine("dev1", "trust");
        Assert.Equal(Convert.FromBase64String(state.GetProperty("roots")[0].GetString()!), await File.ReadAllBytesAsync(Path.Combine(trust, "root.json")));
        Assert.Equal(Convert.FromBase64String(state.GetProperty("targets").GetString()!), await File.ReadAllBytesAsync(Path.Combine(trust, "targets.json")));
        using var membership = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(trust, "membership.json")));
        Assert.Equal(["field", "north"], membership.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).Order());
        Assert.Empty(membership.RootElement.GetProperty("groups").EnumerateArray());
        Assert.Equal(["membership.json", "root.json", "targets.json"], Directory.GetFiles(trust).Select(Path.GetFileName).Order());
        foreach (var file in Directory.GetFiles(trust))
        {
            Assert.Equal(0b110_100_100, Posix.Mode(file));
        }

        // Nothing left over from the temp directory the files were written in.
        Assert.Empty(Directory.GetDirectories(work.Combine("dev1"), ".trust*"));
        var (root, targets) = (await File.ReadAllBytesAsync(Path.Combine(trust, "root.json")), await File.ReadAllBytesAsync(Path.Combine(trust, "targets.json")));
        var loaded = TrustedMetadata.Load(root, targets);
        Assert.True(loaded.IsValid, loaded.Message);
        Assert.Equal(["tag-field"], loaded.Value!.Targets.Delegations.Select(d => d.Name));
    }
}
