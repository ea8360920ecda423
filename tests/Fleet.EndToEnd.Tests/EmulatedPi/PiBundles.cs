using Fleet.Testing;

namespace Fleet.EndToEnd.Tests.EmulatedPi;

/// <summary>Two real Raspberry Pi 4 agent builds from <c>fleet firmware build --platform rpi4 --architecture arm64</c>
/// (self-contained linux-arm64), 1.0.0 and 1.0.1, signed with a release key; built once for the emulated-Pi tests.</summary>
public sealed class PiBundles : IAsyncLifetime
{
    public const string Product = "algae-tank-pi";

    private readonly TempDir _dir = new("fleet-pi-bundles");

    public string ConfigDir => _dir.Combine("cli");
    public string KeysDir => _dir.Combine("keys");
    public string ReleasePub => Path.Combine(KeysDir, "release.pub");
    public string V100 => _dir.Combine("pi-1.0.0.fwb");
    public string V101 => _dir.Combine("pi-1.0.1.fwb");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ConfigDir);
        await Cli.RunAsync(ConfigDir, null, "keys", "create", "release", "--dir", KeysDir);
        var key = Path.Combine(KeysDir, "release.key");

        // Both builds publish into their own temp folders, so they run side by side.
        await Task.WhenAll(
            Cli.RunAsync(ConfigDir, null, "firmware", "build", "--platform", "rpi4", "--architecture", "arm64", "--product", Product,
                "--version", "1.0.0", "--output", V100, "--key", key),
            Cli.RunAsync(ConfigDir, null, "firmware", "build", "--platform", "rpi4", "--architecture", "arm64", "--product", Product,
                "--version", "1.0.1", "--output", V101, "--key", key));
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }
}
