using Fleet.Cli.Hub;

namespace Fleet.Cli.Burn;

/// <summary>Provisions the device with the hub exactly as <c>fleet device provision</c> does (key generated here, CSR
/// to the hub). The folder is kept under the CLI's config directory (<c>devices/SERIAL</c>), so when the burn fails
/// after the hub registered the device, nothing is lost: the message names the folder to pass with --provisioning.</summary>
internal sealed class HubProvisioningSource(HubClient hub, string? product, IReadOnlyList<string> tags, string? trustRootSha256) : IProvisioningSource
{
    public static string FolderFor(string serial) => Path.Combine(CliPaths.ConfigDir, "devices", serial);

    public async Task WriteAsync(string serial, string destination, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(product))
        {
            throw new CliFailure($"name the product of '{serial}' with --product so the hub can provision it (or pass --provisioning DIR from 'fleet device provision')");
        }

        var folder = FolderFor(serial);
        if (File.Exists(Path.Combine(folder, "device.crt")))
        {
            throw new CliFailure($"'{serial}' was provisioned into {folder} by an earlier burn; burn with --provisioning {folder} to use it");
        }

        await DeviceProvisioning.ProvisionAsync(hub, serial, product, tags, folder, trustRootSha256, ct);
        await new DirectoryProvisioningSource(folder).WriteAsync(serial, destination, ct);
    }
}
