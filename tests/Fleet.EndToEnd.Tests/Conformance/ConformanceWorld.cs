using System.IO.Compression;
using System.Text.Json.Nodes;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests.Conformance;

/// <summary>A real hub (embedded broker, mutual TLS on 127.0.0.1) set up the way an operator does it, with the real
/// <c>fleet</c> CLI only: a product, a firmware-signing key, root key and TUF trust (<c>fleet trust init</c>,
/// <c>add-key --scope any</c>), firmware 1.0.0 and 1.0.1 made with <c>fleet firmware create</c>/<c>sign</c> and
/// published, and devices provisioned with <c>fleet device provision</c> (certificate, key, hub CA and trust/).
/// Each device gets its own tag and deployment group, so one device's failed update cannot pause another's.
/// Runs <c>tests/conformance-js/device.mjs</c> as a node process.</summary>
public sealed class ConformanceWorld : IAsyncLifetime
{
    public const string Product = "conformance-tank";

    public static readonly string ClientDir = Path.Combine(RepoPaths.Root, "tests", "conformance-js");

    private readonly TempDir _dir = new("fleet-conformance");
    private string? _hubData;

    public RunningHub Hub { get; private set; } = null!;

    public string ConfigDir => _dir.Combine("cli");

    public string V100 => _dir.Combine("tank-1.0.0.fwb");

    public string V101 => _dir.Combine("tank-1.0.1.fwb");

    /// <summary>1.0.1's uuid and chunk count, as the hub published it.</summary>
    public string V101Uuid { get; private set; } = "";

    public int V101Chunks { get; private set; }

    public string V100Uuid { get; private set; } = "";

    public async Task InitializeAsync()
    {
        // Rollout passes every second rather than every 5 s, so an offer follows the device's first status quickly.
        _hubData = Directory.CreateTempSubdirectory("fleet-conformance-hub-").FullName;
        Hub = await RunningHub.StartAsync(_hubData, null, null, new Dictionary<string, string?> { ["FLEET_HUB__ROLLOUTTICKSECONDS"] = "1" });
        Directory.CreateDirectory(ConfigDir);
        await CliAsync("product", "create", Product);
        await CliAsync("keys", "create", "release");
        await CliAsync("keys", "root", "create", "root-a");
        await CliAsync("trust", "init", "--product", Product, "--root-key", "root-a");
        await CliAsync("trust", "add-key", "--product", Product, "--key", "release", "--scope", "any");

        // 1.0.1 carries 700,000 bytes of fixed pseudo-random data: 11 chunks of 64 KiB, more than the device's window
        // of 8, so the window is refilled as chunks arrive.
        var p100 = _dir.Combine("payload-1.0.0");
        var p101 = _dir.Combine("payload-1.0.1");
        Directory.CreateDirectory(p100);
        Directory.CreateDirectory(p101);
        await File.WriteAllTextAsync(Path.Combine(p100, "app.txt"), "conformance tank 1.0.0\n");
        var data = new byte[700_000];
        new Random(20261203).NextBytes(data);
        await File.WriteAllBytesAsync(Path.Combine(p101, "data.bin"), data);
        await File.WriteAllTextAsync(Path.Combine(p101, "app.txt"), "conformance tank 1.0.1\n");
        foreach (var (version, payload, output) in new[] { ("1.0.0", p100, V100), ("1.0.1", p101, V101) })
        {
            await CliAsync("firmware", "create", "--product", Product, "--version", version, "--platform", "sim", "--architecture", "x64",
                "--payload", payload, "--output", output);
            await CliAsync("firmware", "sign", output, "--key", "release");
            await CliAsync("firmware", "publish", output);
        }

        var firmware = JsonNode.Parse(await CliAsync("firmware", "list", "--product", Product, "--json"))!.AsArray();
        var v101 = firmware.Single(f => f!["version"]!.ToString() == "1.0.1")!;
        V101Uuid = v101["uuid"]!.ToString();
        V101Chunks = v101["chunkCount"]!.GetValue<int>();
        V100Uuid = firmware.Single(f => f!["version"]!.ToString() == "1.0.0")!["uuid"]!.ToString();
    }

    public Task<string> CliAsync(params string[] args) => Cli.RunAsync(ConfigDir, Hub, args);

    /// <summary>Provisions SERIAL with <c>fleet device provision</c> into ROOT/provisioning, puts 1.0.0's manifest into
    /// ROOT/slots/a (the firmware it runs), and creates deployment group GROUP for 1.0.1 that targets this device alone
    /// (by a tag of its own). Returns ROOT.</summary>
    public async Task<string> AddDeviceAsync(string serial, string group)
    {
        var root = _dir.Combine(serial);
        var slot = Path.Combine(root, "slots", "a");
        Directory.CreateDirectory(slot);
        await CliAsync("device", "provision", serial, "--product", Product, "--tag", serial, "--output", Path.Combine(root, "provisioning"));
        using (var zip = ZipFile.OpenRead(V100))
        {
            zip.GetEntry("manifest.json")!.ExtractToFile(Path.Combine(slot, "manifest.json"));
            zip.GetEntry("manifest.sig")!.ExtractToFile(Path.Combine(slot, "manifest.sig"));
        }

        await CliAsync("deployment", "create", group, "--product", Product, "--firmware", "1.0.1", "--tag", serial);
        return root;
    }

    /// <summary>Runs the conformance device against ROOT until it exits (it stops by itself: committed, or refused).</summary>
    public async Task<ProcessResult> RunDeviceAsync(string root, params string[] extra)
    {
        var node = FindOnPath("node") ?? throw new InvalidOperationException("node is not installed; tests/run.sh installs Debian's nodejs and npm");
        var package = Path.Combine(ClientDir, "node_modules", "mqtt", "package.json");
        Assert.True(File.Exists(package), $"{package} is missing; run 'npm ci --prefix tests/conformance-js' (tests/run.sh does)");
        return await ProductProcess.RunAsync(node, [Path.Combine(ClientDir, "device.mjs"), "--root", root, "--offer-timeout", "120", .. extra],
            workingDirectory: ClientDir, timeout: TimeSpan.FromMinutes(4));
    }

    /// <summary>The payload entry of a bundle: what the device must have reassembled.</summary>
    public static byte[] PayloadOf(string bundle)
    {
        using var zip = ZipFile.OpenRead(bundle);
        using var s = zip.GetEntry("payload")!.Open();
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }

    public Task<JsonNode> GetAsync(string path) => Hub.GetJsonAsync(path);

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);

    public async Task DisposeAsync()
    {
        if (Hub is not null)
        {
            await Hub.DisposeAsync();
        }

        if (_hubData is not null)
        {
            try
            {
                Directory.Delete(_hubData, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        _dir.Dispose();
    }
}
