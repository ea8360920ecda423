using System.IO.Compression;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Fleet.Protocol.Packaging;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests;

/// <summary>A real hub process and real agents, each in its own device root, started by fleet-boot under a supervisor.
/// Set up with the real CLI: product, signing key, published firmware, provisioned devices with v1.0.0 in slot a.</summary>
internal sealed class OtaWorld : IAsyncDisposable
{
    private readonly TempDir _dir = new("fleet-ota");
    private readonly List<SupervisedAgent> _agents = [];
    private readonly OtaBundles _bundles;

    private OtaWorld(OtaBundles bundles, RunningHub hub)
    {
        _bundles = bundles;
        Hub = hub;
    }

    public RunningHub Hub { get; private set; }

    public IReadOnlyList<SupervisedAgent> Agents => _agents;

    public static async Task<OtaWorld> StartAsync(OtaBundles bundles, IDictionary<string, string?>? hubEnvironment = null)
    {
        var env = new Dictionary<string, string?> { ["FLEET_HUB__ROLLOUTTICKSECONDS"] = "1" };
        foreach (var (k, v) in hubEnvironment ?? new Dictionary<string, string?>())
        {
            env[k] = v;
        }

        var data = Directory.CreateTempSubdirectory("fleet-ota-hub-").FullName;
        var hub = await RunningHub.StartAsync(data, null, null, env);
        var world = new OtaWorld(bundles, hub);
        await world.CliAsync("product", "create", OtaBundles.Product);
        await world.CliAsync("keys", "register", bundles.ReleasePub, "--product", OtaBundles.Product);
        await world.CliAsync("firmware", "publish", bundles.V100);
        return world;
    }

    public Task<string> CliAsync(params string[] args) => Cli.RunAsync(_bundles.ConfigDir, Hub, args);

    /// <summary>Provisions SERIAL into a fresh root, installs v1.0.0 into slot a, and starts it through fleet-boot;
    /// <paramref name="agentJson"/>, when given, is the device's <c>agent.json</c>.</summary>
    public async Task<SupervisedAgent> AddDeviceAsync(string serial, string? agentJson = null)
    {
        var root = _dir.Combine(serial);
        var slot = Path.Combine(root, "slots", "a");
        Directory.CreateDirectory(slot);
        await CliAsync("device", "provision", serial, "--product", OtaBundles.Product, "--output", Path.Combine(root, "provisioning"));
        Install(_bundles.V100, slot);
        await File.WriteAllTextAsync(Path.Combine(root, "boot.json"), "{\"active\":\"a\",\"committed\":\"a\",\"trial\":null}\n");
        if (agentJson is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(root, "agent.json"), agentJson);
        }
        var agent = SupervisedAgent.Start(root);
        _agents.Add(agent);
        return agent;
    }

    /// <summary>Unpacks a bundle's payload into DIR with its manifest, as an installer (or `fleet device burn`) does.</summary>
    public static void Install(string bundle, string dir)
    {
        using var zip = ZipFile.OpenRead(bundle);
        using var payload = new MemoryStream();
        using (var s = zip.GetEntry("payload")!.Open())
        {
            s.CopyTo(payload);
        }

        payload.Position = 0;
        var result = PayloadExtractor.Extract(payload, dir);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"cannot unpack {bundle}: {result}");
        }

        zip.GetEntry("manifest.json")!.ExtractToFile(Path.Combine(dir, "manifest.json"), overwrite: true);
        zip.GetEntry("manifest.sig")!.ExtractToFile(Path.Combine(dir, "manifest.sig"), overwrite: true);
    }

    public Task<JsonNode> GetAsync(string path) => Hub.GetJsonAsync(path);

    public async Task<JsonNode> PostAsync(string path, object body)
    {
        using var client = Hub.Admin();
        var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
        }

        return JsonNode.Parse(text)!;
    }

    public Task<JsonNode> DeviceAsync(string serial) => GetAsync($"/api/v1/devices/{serial}");

    public Task<JsonNode> ProgressAsync(string group) => GetAsync($"/api/v1/deployments/{group}/progress");

    public async Task<JsonArray> AttemptsAsync(string serial) => (JsonArray)await GetAsync($"/api/v1/devices/{serial}/rollout-attempts");

    /// <summary>Waits until every device is online and reports VERSION from its slot manifest.</summary>
    public Task AllRunAsync(string version, IEnumerable<string> serials, TimeSpan? timeout = null) =>
        Eventually.Until(async () =>
        {
            foreach (var s in serials)
            {
                var d = await DeviceAsync(s);
                if (d["online"]?.GetValue<bool>() != true || d["firmwareVersion"]?.ToString() != version)
                {
                    return false;
                }
            }

            return true;
        }, $"{string.Join(", ", serials)} online on {version}", timeout ?? TimeSpan.FromSeconds(120));

    public async Task RestartHubAsync() => Hub = await Hub.RestartOnSamePortsAsync();

    /// <summary>Everything the agents printed, for failure messages.</summary>
    public string AgentOutput(int tail = 60) => string.Join("\n=====\n", _agents.Select(a =>
        $"{Path.GetFileName(a.Root)}:\n" + string.Join('\n', a.Output.Split('\n').TakeLast(tail))));

    public async ValueTask DisposeAsync()
    {
        foreach (var a in _agents)
        {
            await a.DisposeAsync();
        }

        var data = Hub.DataDir;
        await Hub.DisposeAsync();
        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
        }

        _dir.Dispose();
    }
}
