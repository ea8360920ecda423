using System.CommandLine;

namespace Fleet.Cli.Burn;

/// <summary><c>fleet device burn SERIAL --image IMG --target DEVICE|FILE [--yes] [--product P] [--trust-root-sha256 HEX] [--provisioning DIR] [--bundle F.fwb]</c>.
/// Without --provisioning the device is provisioned with the hub (as <c>fleet device provision</c>); without --bundle
/// the hub's current firmware for the device is downloaded. Either way the bundle must verify against the device's
/// trusted keys before anything is written.</summary>
internal static class BurnCommand
{
    /// <summary>The <c>device</c> group holding only <c>burn</c>, until the device commands from the hub side
    /// (provision, list, ...) add <see cref="Create"/> to their own group.</summary>
    public static Command DeviceGroup() => new("device", "Devices: provisioning and SD cards") { Create() };

    public static Command Create()
    {
        var serial = new Argument<string>("SERIAL") { Description = "The device's serial (its certificate's CN)" };
        var image = new Option<string>("--image") { Description = "Raspberry Pi OS image, .img or .img.xz (2025-10-01 or later, with cloud-init)", Required = true };
        var target = new Option<string>("--target") { Description = "SD card device (e.g. /dev/sdX) or an image file to create", Required = true };
        var yes = new Option<bool>("--yes") { Description = "Confirm that a block device target may be erased, or an existing image file replaced" };
        var keep = new Option<bool>("--keep-provisioning")
        {
            Description = "Keep this machine's copy of the device key in the config dir's devices/SERIAL after a verified burn (default: deleted; the card has its own copy)",
        };
        var provisioning = new Option<string>("--provisioning") { Description = "Offline: directory from 'fleet device provision SERIAL --output DIR' (default: provision with the hub)" };
        var bundle = new Option<string>("--bundle") { Description = "Offline: agent firmware bundle (.fwb) for the Pi, installed as slot a (default: the hub's current firmware for the device)" };
        var product = new Option<string>("--product") { Description = "Product of the device, when the hub provisions it" };
        var tags = new Option<string[]>("--tag") { Description = "Device tag when the hub provisions it (repeat)" };
        var pin = Trust.TrustAnchor.Option("SHA-256 of the product's root.json from 'fleet trust show', when the hub provisions it on a machine without the product's trust copy");
        var platform = new Option<string>("--platform") { Description = "Pi model of the firmware taken from the hub: rpi3, rpi4 or rpi5", DefaultValueFactory = _ => "rpi4" };
        var architecture = new Option<string>("--architecture") { Description = "Architecture of the firmware taken from the hub: arm64 or arm", DefaultValueFactory = _ => "arm64" };

        var command = new Command("burn", "Write Raspberry Pi OS to an SD card or image file with this device's Fleet agent, provisioning and first-boot install")
        {
            serial, image, target, yes, keep, provisioning, bundle, product, tags, pin, platform, architecture,
        };
        command.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var provisioningDir = pr.GetValue(provisioning);
            var bundlePath = pr.GetValue(bundle);
            // The hub is only contacted for what was not given on the command line.
            using var hub = provisioningDir is null || bundlePath is null ? new Hub.HubClient(Hub.HubLogin.Resolve()) : null;
            IProvisioningSource provisioningSource = provisioningDir is not null
                ? new DirectoryProvisioningSource(provisioningDir)
                : new HubProvisioningSource(hub!, pr.GetValue(product), pr.GetValue(tags) ?? [], pr.GetValue(pin));
            IBundleSource bundleSource = bundlePath is not null
                ? new FileBundleSource(bundlePath)
                : new HubBundleSource(hub!, pr.GetValue(platform)!, pr.GetValue(architecture)!);
            var request = new BurnRequest(
                pr.GetValue(serial)!,
                pr.GetValue(image)!,
                pr.GetValue(target)!,
                pr.GetValue(yes),
                bundleSource,
                provisioningSource);
            var burner = new CardBurner(new TargetGuard(MountTable.Read()));
            BurnResult result;
            try
            {
                result = await burner.BurnAsync(request, ct);
            }
            catch (CliFailure failure) when (provisioningSource is HubProvisioningSource && !failure.Message.Contains("by an earlier burn", StringComparison.Ordinal) && File.Exists(Path.Combine(HubProvisioningSource.FolderFor(request.Serial), "device.crt")))
            {
                // The hub registered the device before the burn failed: say where its key and certificate are kept.
                throw new CliFailure($"{failure.Message} (the hub registered {request.Serial}; its provisioning is kept in {HubProvisioningSource.FolderFor(request.Serial)}: " +
                    $"burn again with --provisioning {HubProvisioningSource.FolderFor(request.Serial)})", failure.ExitCode);
            }

            if (bundleSource is HubBundleSource fromHub)
            {
                Console.WriteLine($"agent bundle from the hub: {fromHub.Chosen}, signature verified");
            }

            Console.WriteLine($"burned {request.ImagePath} to {result.Target.Path}: {result.Image.Length} bytes, sha256 {result.Image.Sha256}, verified");
            Console.WriteLine($"boot partition {result.BootPartition.Number}: fleet/ (provisioning for {request.Serial}, agent bundle) and a cloud-init first-boot install");
            ForgetKeptProvisioning(request.Serial, provisioningSource is HubProvisioningSource, provisioningDir, pr.GetValue(keep));
            return 0;
        });
        return command;
    }

    /// <summary>After a verified burn the card holds the device's key; the copy this machine kept in
    /// <c>devices/SERIAL</c> (for a retry) is deleted, unless --keep-provisioning. A --provisioning folder elsewhere
    /// is the operator's and stays.</summary>
    private static void ForgetKeptProvisioning(string serial, bool fromHub, string? provisioningDir, bool keep)
    {
        var kept = HubProvisioningSource.FolderFor(serial);
        var ours = fromHub || (provisioningDir is not null && Path.GetFullPath(provisioningDir).TrimEnd('/') == Path.GetFullPath(kept));
        if (!ours || !Directory.Exists(kept))
        {
            return;
        }

        if (keep)
        {
            Console.WriteLine($"kept the provisioning with the device key in {kept} (--keep-provisioning); delete it once the device is running");
            return;
        }

        Directory.Delete(kept, recursive: true);
        Console.WriteLine($"deleted the copy of the device key kept in {kept} (the card holds the device's key)");
    }
}
