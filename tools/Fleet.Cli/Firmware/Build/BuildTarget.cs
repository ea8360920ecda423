namespace Fleet.Cli.Firmware.Build;

/// <summary>What the agent is published as for one platform/architecture pair of the manifest.
/// Real Pis get a self-contained publish: Raspberry Pi OS ships no .NET runtime, and fleet-boot runs the slot's
/// <c>Fleet.Device</c> executable. Simulated tanks run on machines that have the SDK (developer PCs, CI), so
/// <c>sim</c> is framework-dependent without an apphost: a bundle of a few MB instead of ~100 MB, and fleet-boot
/// starts it as <c>dotnet Fleet.Device.dll</c>.</summary>
internal sealed record BuildTarget(string Platform, string Architecture, string RuntimeIdentifier, bool SelfContained)
{
    public const string Simulated = "sim";

    public static readonly IReadOnlyList<string> PiPlatforms = ["rpi3", "rpi4", "rpi5"];

    public static readonly IReadOnlyList<string> PiArchitectures = ["arm64", "arm"];

    public static readonly IReadOnlyList<string> SimulatedArchitectures = ["x64", "arm64"];

    /// <summary>The target, or null with a message naming the bad value and the accepted ones.</summary>
    public static BuildTarget? TryResolve(string platform, string architecture, out string problem)
    {
        problem = "";
        if (PiPlatforms.Contains(platform))
        {
            if (!PiArchitectures.Contains(architecture))
            {
                problem = $"architecture '{architecture}' in --architecture does not run on {platform}: use {string.Join(" or ", PiArchitectures)} (arm64 for 64-bit Raspberry Pi OS)";
                return null;
            }

            return new BuildTarget(platform, architecture, "linux-" + architecture, SelfContained: true);
        }

        if (platform == Simulated)
        {
            if (!SimulatedArchitectures.Contains(architecture))
            {
                problem = $"architecture '{architecture}' in --architecture is not built for sim: use {string.Join(" or ", SimulatedArchitectures)}";
                return null;
            }

            return new BuildTarget(platform, architecture, "linux-" + architecture, SelfContained: false);
        }

        problem = $"unknown platform '{platform}' in --platform: use {string.Join(", ", PiPlatforms)} or {Simulated}";
        return null;
    }
}
