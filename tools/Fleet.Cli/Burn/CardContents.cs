using System.Reflection;

namespace Fleet.Cli.Burn;

/// <summary>Builds the <c>fleet/</c> directory that goes onto the boot partition, in a local staging directory, before
/// anything is written to the target (so a missing file or bad bundle fails with the target untouched).</summary>
internal static class CardContents
{
    /// <summary>Packaging files embedded in the CLI from device/ (see Fleet.Cli.csproj), with their file modes on the Pi
    /// set by install.sh (FAT keeps none).</summary>
    public static readonly string[] PackagingFiles = ["fleet-boot", "install.sh", "fleet-agent.service", "60-fleet-gpio-i2c.rules"];

    public static async Task<string> StageAsync(string serial, IProvisioningSource provisioning, IBundleSource bundle, string staging, CancellationToken ct)
    {
        var fleet = Directory.CreateDirectory(Path.Combine(staging, "fleet")).FullName;
        foreach (var name in PackagingFiles)
        {
            await using var resource = Assembly.GetExecutingAssembly().GetManifestResourceStream("packaging/" + name)
                ?? throw new InvalidOperationException($"packaging file {name} is not embedded in the CLI");
            await using var file = File.Create(Path.Combine(fleet, name));
            await resource.CopyToAsync(file, ct);
        }

        // Provisioning first: its trusted keys are what the bundle must be signed with, as on the device.
        var provisioningDir = Path.Combine(fleet, "provisioning");
        await provisioning.WriteAsync(serial, provisioningDir, ct);
        var downloads = Directory.CreateDirectory(Path.Combine(staging, "downloads")).FullName;
        var bundlePath = await bundle.ObtainAsync(serial, downloads, ct);
        await AgentBundle.ExtractAsync(bundlePath, Path.Combine(fleet, "firmware"), ProvisionedTrust.Load(serial, provisioningDir), bundle.Product, ct);
        return fleet;
    }
}
