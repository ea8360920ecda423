using System.IO.Compression;
using System.Runtime.InteropServices;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Packaging;
using Fleet.Testing;

namespace Fleet.Cli.Tests.Build;

/// <summary>The two real builds the build specs share, because each publish takes tens of seconds: an rpi4/arm64
/// bundle signed with a fresh key (built from inside the checkout, so the agent project is found by walking up to
/// Fleet.sln), and a sim bundle for this machine's architecture (built from a temp dir with --project).
/// Both payloads are unpacked with the protocol's <see cref="PayloadExtractor"/>, as the device does.</summary>
public sealed class BuiltFirmware : IAsyncLifetime
{
    public const string PiVersion = "1.2.3-rc.1";
    public const string SimVersion = "0.9.0+ci.7";

    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(8);

    private readonly TempDir _dir = new("fleet-build-test");

    public string Root => _dir.Path;

    public string ConfigDir => _dir.Combine("config");

    public string PublicKey => Path.Combine(ConfigDir, "keys", "release.pub");

    public string PiBundle => _dir.Combine("out", "agent-rpi4.fwb");

    public string SimBundle => _dir.Combine("out", "agent-sim.fwb");

    public string PiSlot => _dir.Combine("pi-slot");

    public string SimSlot => _dir.Combine("sim-slot");

    public static string HostArchitecture => RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "x64";

    public ProcessResult PiBuild { get; private set; } = null!;

    public ProcessResult SimBuild { get; private set; } = null!;

    public IDictionary<string, string?> Environment => new Dictionary<string, string?> { ["FLEET_CONFIG_DIR"] = ConfigDir, ["FLEET_DEBUG"] = null };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir.Combine("out"));
        var key = await ProductProcess.RunAsync(RepoPaths.CliDll, ["keys", "create", "release"], Root, Environment);
        Assert.True(key.ExitCode == 0, key.ToString());

        // Separate artifacts folders make the two publishes independent, so they may run side by side.
        var pi = ProductProcess.RunAsync(RepoPaths.CliDll,
            ["firmware", "build", "--platform", "rpi4", "--architecture", "arm64", "--version", PiVersion, "--output", PiBundle, "--key", "release"],
            Path.Combine(RepoPaths.Root, "device"), Environment, PublishTimeout);
        var sim = ProductProcess.RunAsync(RepoPaths.CliDll,
            ["firmware", "build", "--platform", "sim", "--architecture", HostArchitecture, "--version", SimVersion, "--output", SimBundle,
             "--project", Path.Combine(RepoPaths.Root, "device", "Fleet.Device"), "--product", "algae-tank-sim"],
            Root, Environment, PublishTimeout);
        PiBuild = await pi;
        SimBuild = await sim;
        Assert.True(PiBuild.ExitCode == 0, "rpi4 build: " + PiBuild);
        Assert.True(SimBuild.ExitCode == 0, "sim build: " + SimBuild);

        Unpack(PiBundle, PiSlot);
        Unpack(SimBundle, SimSlot);
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }

    private static void Unpack(string bundle, string destination)
    {
        using var zip = ZipFile.OpenRead(bundle);
        using var payload = zip.GetEntry(BundleEntries.Payload)!.Open();
        var result = PayloadExtractor.Extract(payload, destination);
        Assert.True(result.IsSuccess, $"{bundle}: {result}");
    }
}
