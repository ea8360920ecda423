using Fleet.Testing;

namespace Fleet.EndToEnd.Tests;

/// <summary>Real bundles, built once per test run and shared by every test: v1.0.0 (installed into slot a of each
/// device) and v1.0.1 from <c>fleet firmware build --platform sim --architecture x64</c>; a broken v1.0.2 whose
/// Fleet.Device.dll is not an assembly, so its agent cannot start; and three bundles every device must refuse before
/// downloading: signed by a key the devices do not trust (1.0.3), a downgrade (0.9.0), and another platform (1.0.4).</summary>
public sealed class OtaBundles : IAsyncLifetime
{
    public const string Product = "algae-tank";

    private readonly TempDir _dir = new("fleet-ota-bundles");

    public string ConfigDir => _dir.Combine("cli");
    public string KeysDir => _dir.Combine("keys");
    public string ReleasePub => Path.Combine(KeysDir, "release.pub");
    public string RoguePub => Path.Combine(KeysDir, "rogue.pub");
    public string V100 => _dir.Combine("tank-1.0.0.fwb");
    public string V101 => _dir.Combine("tank-1.0.1.fwb");
    public string Broken102 => _dir.Combine("tank-1.0.2-broken.fwb");
    public string Rogue103 => _dir.Combine("tank-1.0.3-rogue.fwb");
    public string Downgrade090 => _dir.Combine("tank-0.9.0.fwb");
    public string Rpi104 => _dir.Combine("tank-1.0.4-rpi4.fwb");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ConfigDir);
        await Cli.RunAsync(ConfigDir, null, "keys", "create", "release", "--dir", KeysDir);
        await Cli.RunAsync(ConfigDir, null, "keys", "create", "rogue", "--dir", KeysDir);
        var key = Path.Combine(KeysDir, "release.key");

        // The two real agent builds run side by side (each publishes into its own temp folder).
        await Task.WhenAll(
            Cli.RunAsync(ConfigDir, null, "firmware", "build", "--platform", "sim", "--architecture", "x64", "--version", "1.0.0", "--output", V100, "--key", key),
            Cli.RunAsync(ConfigDir, null, "firmware", "build", "--platform", "sim", "--architecture", "x64", "--version", "1.0.1", "--output", V101, "--key", key));

        // A payload whose agent fails at start: fleet-boot finds Fleet.Device.dll, `dotnet` cannot load it.
        var broken = _dir.Combine("broken-payload");
        Directory.CreateDirectory(broken);
        await File.WriteAllTextAsync(Path.Combine(broken, "Fleet.Device.dll"), "this is not a .NET assembly\n");
        await File.WriteAllTextAsync(Path.Combine(broken, "README"), "deliberately broken firmware for the rollback test\n");
        await CreateAsync(broken, "1.0.2", "sim", "x64", Broken102, key);
        await CreateAsync(broken, "1.0.3", "sim", "x64", Rogue103, Path.Combine(KeysDir, "rogue.key"));
        await CreateAsync(broken, "0.9.0", "sim", "x64", Downgrade090, key);
        await CreateAsync(broken, "1.0.4", "rpi4", "arm64", Rpi104, key);
    }

    private async Task CreateAsync(string payload, string version, string platform, string architecture, string output, string key)
    {
        await Cli.RunAsync(ConfigDir, null, "firmware", "create", "--product", Product, "--version", version, "--platform", platform,
            "--architecture", architecture, "--payload", payload, "--output", output);
        await Cli.RunAsync(ConfigDir, null, "firmware", "sign", output, "--key", key);
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }
}
