using System.Text.Json;
using Fleet.Testing;
using HubCli = Fleet.Cli.Tests.Hub.FleetCli;

namespace Fleet.Cli.Tests.Burn;

/// <summary>`fleet device burn` for a product with TUF metadata: the card carries provisioning/trust/, and only a bundle
/// the device's targets authorize for it goes on the card.</summary>
public sealed class BurnWithTrustTests
{
    private const string Product = "algae-tank";

    [Fact]
    public async Task The_card_carries_trust_metadata_and_a_bundle_outside_the_signers_scope_is_refused()
    {
        using var work = new TempDir("fleet-burn-trust");
        await using var hub = await RunningHub.StartAsync();
        var cli = new HubCli(work.Combine("config"), work.Path);
        await cli.LoginAsync(hub.Url, hub.AdminToken, hub.CaCertPath);
        await cli.OkAsync("product", "create", Product);
        await cli.OkAsync("keys", "create", "release");
        await cli.OkAsync("keys", "root", "create", "root1");
        await cli.OkAsync("trust", "init", "--product", Product, "--root-key", "root1");
        await cli.OkAsync("trust", "add-key", "--product", Product, "--key", "release", "--scope", "tag:pi");
        var payload = Directory.CreateDirectory(work.Combine("payload")).FullName;
        await File.WriteAllTextAsync(Path.Combine(payload, "Fleet.Device"), "#!/bin/sh\necho agent\n");
        await cli.OkAsync("firmware", "create", "--product", Product, "--version", "1.0.0", "--platform", "rpi4", "--architecture", "arm64", "--payload", payload, "--output", "pi.fwb");
        await cli.OkAsync("firmware", "sign", "pi.fwb", "--key", "release");
        var image = await PiImage.CreateAsync(work.Path);

        var inScope = await cli.RunAsync("device", "burn", "tank-0001", "--image", image.Path, "--target", "card-1.img", "--product", Product, "--tag", "pi", "--bundle", "pi.fwb");
        var outOfScope = await cli.RunAsync("device", "burn", "tank-0002", "--image", image.Path, "--target", "card-2.img", "--product", Product, "--tag", "lab", "--bundle", "pi.fwb");

        Assert.True(inScope.ExitCode == 0, inScope.ToString());
        var boot = work.Combine("boot-1.part");
        File.WriteAllBytes(boot, PiImage.Slice(work.Combine("card-1.img"), PiImage.BootOffset, PiImage.BootLength));
        var trust = JsonDocument.Parse(await cli.OkAsync("trust", "show", "--product", Product, "--json")).RootElement;
        Assert.Equal(2, trust.GetProperty("targets").GetProperty("version").GetInt64());
        Assert.Equal(await File.ReadAllTextAsync(work.Combine("config", "trust", Product, "root.json")), await BurnToFileTests.FatText(boot, "fleet/provisioning/trust/root.json"));
        Assert.Equal(await File.ReadAllTextAsync(work.Combine("config", "trust", Product, "targets.json")), await BurnToFileTests.FatText(boot, "fleet/provisioning/trust/targets.json"));
        Assert.Contains("\"pi\"", await BurnToFileTests.FatText(boot, "fleet/provisioning/trust/membership.json"));

        Assert.Contains("is not authorized for this device by its trust metadata (OutOfScope", FleetCli.AssertOneLineFailure(outOfScope));
        Assert.False(File.Exists(work.Combine("card-2.img")));
    }
}
