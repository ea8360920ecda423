using System.Text.Json;
using Fleet.Protocol.Trust;
using Fleet.Testing;

namespace Fleet.Cli.Tests.Trust;

/// <summary>The promise: a key revoked with <c>fleet trust revoke-key</c> stops working on a device that is
/// already running, without a reflash: the hub sends the new targets, and the agent's trust store no longer lists it.</summary>
public sealed class RunningDeviceTrustTests
{
    private const string Product = TrustedProduct.Name;

    [Fact]
    public async Task A_revoked_key_leaves_the_trust_store_of_a_running_device()
    {
        using var work = new TempDir("fleet-trust-device");
        await using var hub = await RunningHub.StartAsync();
        var p = await TrustedProduct.CreateAsync(work, hub);
        await p.Cli.OkAsync("keys", "create", "release");
        await p.Cli.OkAsync("keys", "create", "backup");
        await p.InitAsync();
        await p.Cli.OkAsync("trust", "add-key", "--product", Product, "--key", "release", "--scope", "any");
        await p.Cli.OkAsync("trust", "add-key", "--product", Product, "--key", "backup", "--scope", "tag:field");
        var root = work.Combine("tank");
        await p.Cli.OkAsync("device", "provision", "tank-1", "--product", Product, "--tag", "field", "--output", Path.Combine(root, "provisioning"));
        await File.WriteAllTextAsync(Path.Combine(root, "agent.json"), """{"telemetry":{"batchSeconds":1},"link":{"reconnectMinMs":200,"reconnectMaxMs":1000,"statusIntervalSeconds":2}}""");
        var trustDir = Path.Combine(root, "provisioning", "trust");
        Assert.Equal(3, Targets(trustDir).Version);

        await using var agent = ProductProcess.Start(RepoPaths.DeviceDll, ["--simulate", "--root", root]);
        using var admin = hub.Admin();
        await Eventually.Until(async () => JsonDocument.Parse(await admin.GetStringAsync("/api/v1/devices/tank-1")).RootElement.GetProperty("online").GetBoolean(),
            "tank-1 to come online");

        await p.Cli.OkAsync("trust", "revoke-key", "--product", Product, "--key", "release");

        var release = Fleet.Protocol.Signing.VerifyingKey.Load(work.Combine("config", "keys", "release.pub"));
        await Eventually.Until(() => TryTargets(trustDir)?.Version == 4, $"the running agent to take targets v4 (agent output: {agent.StandardOutput})", TimeSpan.FromSeconds(90));
        var stored = Targets(trustDir);
        Assert.DoesNotContain(release, stored.SigningKeys());
        Assert.Equal(["tag-field"], stored.Delegations.Select(d => d.Name));
    }

    private static TargetsMetadata Targets(string trustDir) => TryTargets(trustDir) ?? throw new InvalidOperationException($"{trustDir} does not load");

    private static TargetsMetadata? TryTargets(string trustDir)
    {
        try
        {
            var loaded = TrustedMetadata.Load(File.ReadAllBytes(Path.Combine(trustDir, "root.json")), File.ReadAllBytes(Path.Combine(trustDir, "targets.json")));
            return loaded.Value?.Targets;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
