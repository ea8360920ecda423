using System.Text.Json.Nodes;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests.EmulatedPi;

/// <summary>The Raspberry Pi 4 agent (self-contained linux-arm64) on an emulated Pi: a device root with 1.0.0 in slot a,
/// started by the real fleet-boot under a supervisor (like systemd's Restart=always), with fleet-boot running the slot's
/// program through <c>qemu-aarch64-static</c> (FLEET_BOOT_LAUNCHER). Against a real hub over mutual TLS it comes online,
/// sends telemetry, and takes an over-the-air update to the 1.0.1 arm64 bundle through fleet-boot, ending committed.</summary>
public sealed class EmulatedPiTests(PiBundles bundles) : IClassFixture<PiBundles>
{
    private const string Serial = "pi-tank-1";

    // Everything the arm64 agent does runs through a CPU emulator: starts and TLS handshakes take many seconds.
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task The_arm64_agent_under_qemu_connects_over_mutual_tls_sends_telemetry_and_commits_an_ota_update_through_fleet_boot()
    {
        using var dir = new TempDir("fleet-pi");
        var data = Directory.CreateDirectory(dir.Combine("hub")).FullName;
        await using var hub = await RunningHub.StartAsync(data, null, null, new Dictionary<string, string?> { ["FLEET_HUB__ROLLOUTTICKSECONDS"] = "1" });
        Task<string> FleetAsync(params string[] args) => Cli.RunAsync(bundles.ConfigDir, hub, args);

        await FleetAsync("product", "create", PiBundles.Product);
        await FleetAsync("keys", "register", bundles.ReleasePub, "--product", PiBundles.Product);
        await FleetAsync("firmware", "publish", bundles.V100);
        await FleetAsync("firmware", "publish", bundles.V101);

        var root = dir.Combine(Serial);
        var slotA = Path.Combine(root, "slots", "a");
        Directory.CreateDirectory(slotA);
        await FleetAsync("device", "provision", Serial, "--product", PiBundles.Product, "--output", Path.Combine(root, "provisioning"));
        OtaWorld.Install(bundles.V100, slotA);
        await File.WriteAllTextAsync(Path.Combine(root, "boot.json"), "{\"active\":\"a\",\"committed\":\"a\",\"trial\":null}\n");

        await using var agent = SupervisedAgent.Start(root, environment: new Dictionary<string, string?>
        {
            ["FLEET_BOOT_LAUNCHER"] = "qemu-aarch64-static",
            // .NET's W^X double-mapping of JIT code is not supported under qemu-user and segfaults at random there
            // (dotnet/runtime#94909, #95120); a real Pi runs with the default.
            ["DOTNET_EnableWriteXorExecute"] = "0",
        });

        try
        {
            await Eventually.Until(async () => await DeviceAsync() is var d && d["online"]?.GetValue<bool>() == true
                && d["firmwareVersion"]?.ToString() == "1.0.0", "the emulated Pi online on 1.0.0", Slow);
            await Eventually.Until(async () => (await GetAsync($"/api/v1/devices/{Serial}/telemetry")).AsArray().Count > 0,
                "telemetry rows from the emulated Pi", Slow);

            await FleetAsync("deployment", "create", "pi-tanks", "--product", PiBundles.Product, "--firmware", "1.0.0");
            await FleetAsync("deployment", "update", "pi-tanks", "--firmware", "1.0.1");

            await Eventually.Until(async () => (await AttemptsAsync()).Any(a => a!["state"]?.ToString() == "committed"),
                "the hub's update attempt to end committed", TimeSpan.FromSeconds(240));
            await Eventually.Until(async () => await DeviceAsync() is var d && d["online"]?.GetValue<bool>() == true
                && d["firmwareVersion"]?.ToString() == "1.0.1" && d["activeSlot"]?.ToString() == "b", "the emulated Pi reporting 1.0.1 from slot b", Slow);
        }
        catch (TimeoutException ex)
        {
            var attempts = await AttemptsAsync();
            throw new TimeoutException($"{ex.Message}\nattempts: {attempts}\nagent:\n{string.Join('\n', agent.Output.Split('\n').TakeLast(80))}", ex);
        }

        // The group the device took its update from is for the Pi: its firmware is rpi4/arm64.
        var group = await GetAsync("/api/v1/deployments/pi-tanks");
        var firmware = await GetAsync($"/api/v1/firmware/{group["firmwareUuid"]}");
        Assert.Equal(("1.0.1", "rpi4", "arm64"), (firmware["version"]!.ToString(), firmware["platform"]!.ToString(), firmware["architecture"]!.ToString()));

        var attempt = Assert.Single(await AttemptsAsync());
        Assert.Equal("committed", attempt!["state"]!.ToString());
        var boot = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(root, "boot.json")))!;
        Assert.Equal("b", boot["active"]!.ToString());
        Assert.Equal("b", boot["committed"]!.ToString());
        Assert.Null(boot["trial"]);
        Assert.Contains("1.0.1", await File.ReadAllTextAsync(Path.Combine(root, "slots", "b", "manifest.json")));
        // The agent ran as the arm64 program through the emulator, and exited to let fleet-boot start slot b.
        Assert.Contains("starting slot a through launcher qemu-aarch64-static", agent.Output);
        Assert.True(agent.Starts >= 2, $"fleet-boot was started {agent.Starts} time(s)");
        Assert.True(File.Exists(Path.Combine(root, "slots", "b", "Fleet.Device")), "slot b holds the self-contained arm64 agent");

        async Task<JsonNode> GetAsync(string path)
        {
            using var client = hub.Admin();
            var response = await client.GetAsync(path);
            var text = await response.Content.ReadAsStringAsync();
            return response.IsSuccessStatusCode ? JsonNode.Parse(text)! : throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {text}");
        }

        Task<JsonNode> DeviceAsync() => GetAsync($"/api/v1/devices/{Serial}");

        async Task<JsonArray> AttemptsAsync() => (JsonArray)await GetAsync($"/api/v1/devices/{Serial}/rollout-attempts");
    }
}
