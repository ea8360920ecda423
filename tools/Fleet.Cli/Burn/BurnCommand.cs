using System.CommandLine;

namespace Fleet.Cli.Burn;

/// <summary><c>fleet device burn SERIAL --image IMG --target DEVICE|FILE [--yes] --provisioning DIR --bundle F.fwb</c>.</summary>
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
        var yes = new Option<bool>("--yes") { Description = "Confirm that a block device target may be erased" };
        var provisioning = new Option<string>("--provisioning") { Description = "Directory from 'fleet device provision SERIAL --output DIR'", Required = true };
        var bundle = new Option<string>("--bundle") { Description = "Agent firmware bundle (.fwb) for the Pi, installed as slot a", Required = true };

        var command = new Command("burn", "Write Raspberry Pi OS to an SD card or image file with this device's Fleet agent, provisioning and first-boot install")
        {
            serial, image, target, yes, provisioning, bundle,
        };
        command.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var request = new BurnRequest(
                pr.GetValue(serial)!,
                pr.GetValue(image)!,
                pr.GetValue(target)!,
                pr.GetValue(yes),
                pr.GetValue(bundle)!,
                new DirectoryProvisioningSource(pr.GetValue(provisioning)!));
            var burner = new CardBurner(new TargetGuard(MountTable.Read()));
            var result = await burner.BurnAsync(request, ct);
            Console.WriteLine($"burned {request.ImagePath} to {result.Target.Path}: {result.Image.Length} bytes, sha256 {result.Image.Sha256}, verified");
            Console.WriteLine($"boot partition {result.BootPartition.Number}: fleet/ (provisioning for {request.Serial}, agent bundle) and a cloud-init first-boot install");
            return 0;
        });
        return command;
    }
}
