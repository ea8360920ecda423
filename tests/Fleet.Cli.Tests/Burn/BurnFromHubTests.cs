using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Fleet.Testing;
using HubCli = Fleet.Cli.Tests.Hub.FleetCli;

namespace Fleet.Cli.Tests.Burn;

/// <summary>`fleet device burn` logged in to a real hub, with no --provisioning and no --bundle: the device is provisioned
/// with the hub as `fleet device provision` does, and the hub's current Pi firmware for it (its deployment group's, else
/// the newest for product + platform) is downloaded, verified against the device's trusted keys, and put on the card.</summary>
public sealed class BurnFromHubTests
{
    private const string Product = "algae-tank";

    [Fact]
    public async Task Burns_a_card_with_provisioning_and_firmware_from_the_hub_preferring_the_devices_deployment_group()
    {
        using var work = new TempDir("fleet-burn-hub");
        await using var hub = await RunningHub.StartAsync();
        var config = work.Combine("config");
        var cli = new HubCli(config, work.Path);
        await cli.LoginAsync(hub.Url, hub.AdminToken, hub.CaCertPath);
        await cli.OkAsync("keys", "create", "release");
        await cli.OkAsync("product", "create", Product);
        await cli.OkAsync("keys", "register", "release", "--product", Product);
        // Pi firmware 1.0.0 (what the 'pi' group runs) and 1.1.0 (newest), and a newer sim build that is not for a Pi.
        await PublishAsync(cli, work, "1.0.0", "rpi4", "arm64");
        await PublishAsync(cli, work, "1.1.0", "rpi4", "arm64");
        await PublishAsync(cli, work, "2.0.0", "sim", "x64");
        await cli.OkAsync("deployment", "create", "pi", "--product", Product, "--firmware", "1.0.0", "--tag", "pi");
        var image = await PiImage.CreateAsync(work.Path);

        var inGroup = await cli.RunAsync("device", "burn", "tank-0007", "--image", image.Path, "--target", "card-7.img", "--product", Product, "--tag", "pi", "--keep-provisioning");
        var newest = await cli.RunAsync("device", "burn", "tank-0008", "--image", image.Path, "--target", "card-8.img", "--product", Product);

        Assert.True(inGroup.ExitCode == 0, inGroup.ToString());
        Assert.Contains("firmware 1.0.0 for rpi4/arm64 (deployment group 'pi'), signature verified", inGroup.StandardOutput);
        Assert.True(newest.ExitCode == 0, newest.ToString());
        Assert.Contains("firmware 1.1.0 for rpi4/arm64 (newest published", newest.StandardOutput);

        foreach (var (serial, version) in new[] { ("tank-0007", "1.0.0"), ("tank-0008", "1.1.0") })
        {
            var card = work.Combine($"card-{serial[^1]}.img");
            Assert.Equal(0b110_000_000, Posix.Mode(card));
            var boot = work.Combine($"boot-{serial}.part");
            File.WriteAllBytes(boot, PiImage.Slice(card, PiImage.BootOffset, PiImage.BootLength));
            var fsck = await HostCommand.TryAsync("fsck.vfat", "-n", boot);
            Assert.True(fsck.ExitCode == 0, "fsck.vfat -n reports problems: " + fsck);

            // The certificate on the card names the serial and belongs to the key on the card (made here, never sent).
            var certificatePem = await BurnToFileTests.FatText(boot, "fleet/provisioning/device.crt");
            var keyPem = await BurnToFileTests.FatText(boot, "fleet/provisioning/device.key");
            using var certificate = X509CertificateLoader.LoadCertificate(System.Text.Encoding.ASCII.GetBytes(certificatePem));
            Assert.Equal(serial, certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
            using var key = ECDsa.Create();
            key.ImportFromPem(keyPem);
            using var paired = certificate.CopyWithPrivateKey(key);
            Assert.True(paired.HasPrivateKey);
            Assert.Equal(await File.ReadAllTextAsync(hub.CaCertPath), await BurnToFileTests.FatText(boot, "fleet/provisioning/ca.crt"));
            Assert.Equal(hub.MqttPort, JsonDocument.Parse(await BurnToFileTests.FatText(boot, "fleet/provisioning/hub.json")).RootElement.GetProperty("port").GetInt32());
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(config, "keys", "release.pub")),
                await BurnToFileTests.FatText(boot, "fleet/provisioning/trusted-keys/release.pub"));
            // The copy kept on this machine for a retry is deleted after the verified burn, unless --keep-provisioning;
            // a kept one holds the private key readable by its owner only.
            var kept = Path.Combine(config, "devices", serial, "device.key");
            if (serial == "tank-0007")
            {
                Assert.Contains($"kept the provisioning with the device key in {Path.GetDirectoryName(kept)} (--keep-provisioning)", inGroup.StandardOutput);
                Assert.Equal(0b110_000_000, Posix.Mode(kept));
                Assert.Equal(await File.ReadAllTextAsync(kept), keyPem);
            }
            else
            {
                Assert.Contains($"deleted the copy of the device key kept in {Path.GetDirectoryName(kept)}", newest.StandardOutput);
                Assert.False(Directory.Exists(Path.GetDirectoryName(kept)));
            }

            using var manifest = JsonDocument.Parse(await BurnToFileTests.FatText(boot, "fleet/firmware/manifest.json"));
            Assert.Equal((version, "rpi4", "arm64"), (manifest.RootElement.GetProperty("version").GetString(),
                manifest.RootElement.GetProperty("platform").GetString(), manifest.RootElement.GetProperty("architecture").GetString()));
            Assert.Contains("ed25519", await BurnToFileTests.FatText(boot, "fleet/firmware/manifest.sig"));
            var tar = work.Combine($"payload-{serial}.tar");
            await HostCommand.RunAsync("mcopy", "-i", boot, "::/fleet/firmware/payload.tar", tar);
            Assert.Equal(manifest.RootElement.GetProperty("payload").GetProperty("sha256").GetString(),
                Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(tar))));
            Assert.Contains("install.sh", await BurnToFileTests.FatText(boot, "user-data"));
            Assert.Equal(PiImage.Slice(image.Path, PiImage.RootOffset, PiImage.RootLength), PiImage.Slice(card, PiImage.RootOffset, PiImage.RootLength));

            // Registered in the hub under the product.
            using var device = JsonDocument.Parse(await cli.OkAsync("device", "show", serial, "--json"));
            Assert.Equal(Product, device.RootElement.GetProperty("product").GetString());
        }
    }

    [Fact]
    public async Task Refuses_without_a_product_or_without_pi_firmware_and_writes_no_card()
    {
        using var work = new TempDir("fleet-burn-hub");
        await using var hub = await RunningHub.StartAsync();
        var cli = new HubCli(work.Combine("config"), work.Path);
        await cli.LoginAsync(hub.Url, hub.AdminToken, hub.CaCertPath);
        await cli.OkAsync("keys", "create", "release");
        await cli.OkAsync("product", "create", Product);
        await cli.OkAsync("keys", "register", "release", "--product", Product);
        await PublishAsync(cli, work, "1.0.0", "sim", "x64");
        var image = await PiImage.CreateAsync(work.Path);

        var noProduct = await cli.RunAsync("device", "burn", "tank-0009", "--image", image.Path, "--target", "card.img");
        var noFirmware = await cli.RunAsync("device", "burn", "tank-0009", "--image", image.Path, "--target", "card.img", "--product", Product);

        Assert.Contains("name the product of 'tank-0009' with --product", FleetCli.AssertOneLineFailure(noProduct));
        var refused = FleetCli.AssertOneLineFailure(noFirmware);
        Assert.Contains($"the hub has no firmware for product '{Product}' on rpi4/arm64", refused);
        // The hub registered the device before the firmware was looked up: its provisioning is kept, and named.
        Assert.Contains($"--provisioning {Path.Combine(work.Path, "config", "devices", "tank-0009")}", refused);
        Assert.False(File.Exists(work.Combine("card.img")));
        Assert.Empty(Directory.EnumerateFiles(work.Path, "*card.img*"));
    }

    private static async Task PublishAsync(HubCli cli, TempDir work, string version, string platform, string architecture)
    {
        var payload = Directory.CreateDirectory(work.Combine($"payload-{version}")).FullName;
        await File.WriteAllTextAsync(Path.Combine(payload, "Fleet.Device"), $"#!/bin/sh\necho agent {version}\n");
        var bundle = $"tank-{version}.fwb";
        await cli.OkAsync("firmware", "create", "--product", Product, "--version", version, "--platform", platform, "--architecture", architecture,
            "--payload", payload, "--output", bundle);
        await cli.OkAsync("firmware", "sign", bundle, "--key", "release");
        await cli.OkAsync("firmware", "publish", bundle);
    }
}
