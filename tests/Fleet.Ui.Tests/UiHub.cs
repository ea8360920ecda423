using System.Text.Json;
using Fleet.Testing;

namespace Fleet.Ui.Tests;

/// <summary>A real hub with a product, signed firmware and real simulated agents, set up through the real `fleet` CLI
/// exactly as docs/hub.md shows. Agents run a sped-up tank and send telemetry every second.</summary>
internal sealed class UiHub : IAsyncDisposable
{
    public const string Product = "algae-tank";
    private readonly List<ProductProcess> _agents = [];
    private bool _keyRegistered;

    private UiHub(RunningHub hub, TempDir work)
    {
        Hub = hub;
        Work = work;
        AdminPassword = File.ReadAllText(Path.Combine(hub.DataDir, "admin-password")).Trim();
    }

    public RunningHub Hub { get; private set; }
    public TempDir Work { get; }
    public string AdminPassword { get; }
    public string Url => Hub.Url;

    public static async Task<UiHub> StartAsync()
    {
        var hub = await RunningHub.StartAsync();
        var ui = new UiHub(hub, new TempDir("fleet-ui"));
        await ui.FleetOkAsync("product", "create", Product);
        return ui;
    }

    public async Task<ProcessResult> FleetAsync(params string[] args) =>
        await ProductProcess.RunAsync(RepoPaths.CliDll, args, workingDirectory: Work.Path, environment: new Dictionary<string, string?>
        {
            ["FLEET_CONFIG_DIR"] = Work.Combine("config"),
            ["FLEET_HUB"] = Hub.Url,
            ["FLEET_TOKEN"] = Hub.AdminToken,
            ["FLEET_CA_CERT"] = Hub.CaCertPath,
        });

    public async Task<string> FleetOkAsync(params string[] args)
    {
        var result = await FleetAsync(args);
        Assert.True(result.ExitCode == 0, $"fleet {string.Join(' ', args)}: {result}");
        return result.StandardOutput;
    }

    /// <summary>Provisions SERIAL and starts its agent with <c>--simulate</c>, unless <paramref name="start"/> is false.</summary>
    public async Task<string> ProvisionAsync(string serial, IEnumerable<string>? tags = null)
    {
        var root = Work.Combine("tanks", serial);
        var args = new List<string> { "device", "provision", serial, "--product", Product, "--output", Path.Combine(root, "provisioning") };
        foreach (var t in tags ?? [])
        {
            args.AddRange(["--tag", t]);
        }

        await FleetOkAsync([.. args]);
        // A day in 24 min, a telemetry batch every second: charts move while a test watches.
        File.WriteAllText(Path.Combine(root, "agent.json"), JsonSerializer.Serialize(new
        {
            telemetry = new { batchSeconds = 1 },
            link = new { reconnectMinMs = 500, reconnectMaxMs = 2000, statusIntervalSeconds = 5 },
            simulation = new { speed = 60.0, seed = serial.GetHashCode(StringComparison.Ordinal) & 0xffff, noise = 0.002 },
        }));
        return root;
    }

    public ProductProcess StartAgent(string serial)
    {
        var agent = ProductProcess.Start(RepoPaths.DeviceDll, ["--simulate", "--root", Work.Combine("tanks", serial)]);
        _agents.Add(agent);
        return agent;
    }

    /// <summary>Signs and publishes a small firmware bundle for the product (a payload folder, not an agent).</summary>
    public async Task PublishFirmwareAsync(string version) => await FleetOkAsync("firmware", "publish", await SignedBundleAsync(version));

    /// <summary>A signed bundle for the product, with the key registered at the hub; not uploaded.</summary>
    public async Task<string> SignedBundleAsync(string version)
    {
        if (!_keyRegistered)
        {
            await FleetOkAsync("keys", "create", "release");
            await FleetOkAsync("keys", "register", "release", "--product", Product);
            _keyRegistered = true;
        }

        var payload = Work.Combine("payload-" + version);
        Directory.CreateDirectory(payload);
        File.WriteAllText(Path.Combine(payload, "README"), $"firmware {version}\n");
        var bundle = Work.Combine($"fw-{version}.fwb");
        await FleetOkAsync("firmware", "create", "--product", Product, "--version", version, "--platform", "sim", "--architecture", "x64",
            "--payload", payload, "--output", bundle);
        await FleetOkAsync("firmware", "sign", bundle, "--key", "release");
        return bundle;
    }

    /// <summary>Stops the hub (SIGTERM) and starts it again on the same data dir.</summary>
    public async Task RestartHubAsync() => Hub = await Hub.RestartAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }

        var data = Hub.DataDir;
        await Hub.DisposeAsync();
        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }

        Work.Dispose();
    }
}
