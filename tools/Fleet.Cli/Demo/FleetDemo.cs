using System.CommandLine;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Fleet.Cli.Hub;
using Fleet.Protocol.Packaging;

namespace Fleet.Cli.Demo;

/// <summary>The demo's steps, in order, each a real operation: the hub is a child process, every fleet step runs
/// the same command code as the CLI (in this process, not by shelling out), and each tank is the real agent
/// started by fleet-boot from slot a under <see cref="TankSupervisor"/>. Everything lives in one temp folder that
/// is removed when the demo stops.</summary>
internal sealed class FleetDemo(int devices, DemoLayout layout) : IAsyncDisposable
{
    private const string Product = "algae-tank";
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("fleet-demo-");
    private readonly List<TankSupervisor> _tanks = [];
    private DemoChild? _hub;

    private string In(params string[] parts) => Path.Combine([_dir.FullName, .. parts]);

    public async Task<int> RunAsync(CancellationToken ct)
    {
        // The demo's own CLI state (login, keys), never the user's ~/.config/fleet.
        Environment.SetEnvironmentVariable("FLEET_CONFIG_DIR", In("cli"));
        var data = In("hub");

        await StepAsync("building the hub", () => BuildHubAsync(ct));
        var (http, mqtt) = (FreePort(), FreePort());
        await StepAsync("starting the hub", async () =>
        {
            _hub = DemoChild.Start("dotnet", [layout.HubDll, "--data-dir", data, "--http-port", $"{http}", "--mqtt-port", $"{mqtt}"], _dir.FullName);
            await _hub.WaitForLineAsync(l => l.StartsWith("Fleet hub ready", StringComparison.Ordinal), TimeSpan.FromMinutes(2), ct);
        });
        var url = $"https://127.0.0.1:{http}";
        Environment.SetEnvironmentVariable("FLEET_HUB", url);
        Environment.SetEnvironmentVariable("FLEET_TOKEN", (await File.ReadAllTextAsync(Path.Combine(data, "admin-token"), ct)).Trim());
        Environment.SetEnvironmentVariable("FLEET_CA_CERT", Path.Combine(data, "hub-ca.crt"));

        await StepAsync("creating product, signing key, trust metadata", async () =>
        {
            await FleetAsync(ct, "product", "create", Product, "--description", "Simulated algae photobioreactors (fleet demo)");
            await FleetAsync(ct, "keys", "create", "demo-release");
            await FleetAsync(ct, "keys", "register", "demo-release", "--product", Product);
            // The product's TUF metadata: a root key in the demo's own folder (a real one stays offline), and the
            // demo's signing key trusted for every tank, so each tank is provisioned with trust/ and checks updates
            // against targets.json.
            await FleetAsync(ct, "keys", "root", "create", "demo-root");
            await FleetAsync(ct, "trust", "init", "--product", Product, "--root-key", "demo-root", "--expires", "30d");
            await FleetAsync(ct, "trust", "add-key", "--product", Product, "--key", "demo-release", "--scope", "any");
        });

        var bundles = new Dictionary<string, string>();
        foreach (var version in new[] { "1.0.0", "1.0.1" })
        {
            bundles[version] = In($"algae-tank-{version}.fwb");
            // fleet firmware build shows its own progress bars (publish, package, sign).
            await FleetAsync(ct, "firmware", "build", "--platform", "sim", "--architecture", "x64", "--version", version,
                "--output", bundles[version], "--key", "demo-release", "--project", layout.AgentProject, "--description", $"demo release {version}");
            await FleetAsync(ct, "firmware", "publish", bundles[version]);
        }

        var beta = Math.Max(1, (int)Math.Round(devices / 3.0));
        await StepAsync($"provisioning {devices} tanks ({beta} beta) with v1.0.0 in slot a", async () =>
        {
            for (var i = 1; i <= devices; i++)
            {
                var serial = $"tank-{i:00}";
                var root = In("tanks", serial);
                await FleetAsync(ct, "device", "provision", serial, "--product", Product, "--tag", i <= beta ? "beta" : "production", "--output", Path.Combine(root, "provisioning"));
                Install(bundles["1.0.0"], Path.Combine(root, "slots", "a"));
                await File.WriteAllTextAsync(Path.Combine(root, "boot.json"), "{\"active\":\"a\",\"committed\":\"a\",\"trial\":null}\n", ct);
                // A tank day in 24 minutes and a telemetry batch every 2 s, so the charts move while you watch.
                var agent = new JsonObject
                {
                    ["telemetry"] = new JsonObject { ["batchSeconds"] = 2 },
                    ["link"] = new JsonObject { ["reconnectMinMs"] = 500, ["reconnectMaxMs"] = 5000, ["statusIntervalSeconds"] = 10 },
                    ["simulation"] = new JsonObject { ["speed"] = 60.0, ["seed"] = i, ["noise"] = 0.002 },
                };
                await File.WriteAllTextAsync(Path.Combine(root, "agent.json"), agent.ToJsonString(), ct);
            }
        });

        await StepAsync($"starting {devices} tanks through fleet-boot", async () =>
        {
            foreach (var root in Directory.GetDirectories(In("tanks")).Order())
            {
                var tank = new TankSupervisor(layout.FleetBoot, root);
                _tanks.Add(tank);
                tank.Start();
            }

            await WaitForAsync(async h => (await h.GetAsync("/api/v1/devices", "listing devices", ct))!.AsArray().Count(d => d!["online"]!.GetValue<bool>()) == devices,
                "every tank to come online", ct);
        });

        await StepAsync("creating deployment groups beta and production on v1.0.0", async () =>
        {
            await FleetAsync(ct, "deployment", "create", "production", "--product", Product, "--firmware", "1.0.0", "--tag", "production");
            await FleetAsync(ct, "deployment", "create", "beta", "--product", Product, "--firmware", "1.0.0", "--tag", "beta");
        });
        await FleetAsync(ct, "deployment", "update", "beta", "--firmware", "1.0.1");

        // The secrets stay in their 0600 files: the output names them, so a terminal log or recording holds none.
        var passwordFile = Path.Combine(data, "admin-password");
        var tokenFile = Path.Combine(data, "admin-token");
        Console.WriteLine();
        Console.WriteLine($"Fleet demo is running: {devices} tanks, rolling v1.0.1 out to group beta.");
        Console.WriteLine($"  UI:       {url}/  (the hub's own dev certificate: accept it in the browser, or trust {Path.Combine(data, "hub-ca.crt")})");
        Console.WriteLine($"  login:    admin, password in {passwordFile}");
        Console.WriteLine($"  CLI:      FLEET_HUB={url} FLEET_TOKEN=\"$(cat {tokenFile})\" FLEET_CA_CERT={Path.Combine(data, "hub-ca.crt")} fleet deployment show beta");
        Console.WriteLine("Press Ctrl+C to stop the hub and every tank.");
        try
        {
            await WatchRolloutAsync("beta", ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }

        Console.WriteLine("Stopping the tanks and the hub...");
        return 0;
    }

    /// <summary>Prints the beta rollout's counts whenever they change, and one line when every device committed.</summary>
    private async Task WatchRolloutAsync(string group, CancellationToken ct)
    {
        using var hub = new HubClient(HubLogin.Resolve());
        var last = "";
        var finished = false;
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            if (_hub?.HasExited == true)
            {
                throw new CliFailure($"the hub stopped; its last output:\n{_hub.Output}");
            }

            JsonNode? progress;
            try
            {
                progress = await hub.GetAsync($"/api/v1/deployments/{group}/progress", "reading rollout progress", ct);
            }
            catch (CliFailure)
            {
                continue;
            }

            var counts = progress!["counts"]!;
            int C(string name) => counts[name]?.GetValue<int>() ?? 0;
            var line = $"rollout of {progress["firmwareVersion"]} to {group}: {C("committed")}/{C("targeted")} committed, {C("inFlight")} updating, {C("failed") + C("rolledBack")} failed, {C("penaltyBox")} in the penalty box";
            if (line != last)
            {
                Console.WriteLine(line);
                last = line;
            }

            if (!finished && C("targeted") > 0 && C("committed") == C("targeted"))
            {
                finished = true;
                Console.WriteLine($"rollout of {progress["firmwareVersion"]} to {group} finished: every device committed");
            }
        }
    }

    private async Task BuildHubAsync(CancellationToken ct)
    {
        using var build = DemoChild.Start("dotnet", ["build", layout.HubProject, "-c", layout.Configuration, "-nologo", "-v", "q"], layout.Root);
        await build.WaitForExitAsync(ct);
        if (!File.Exists(layout.HubDll))
        {
            throw new CliFailure($"building {layout.HubProject} did not produce {layout.HubDll}; its output:\n{build.Output}");
        }
    }

    /// <summary>Runs a fleet command with the very code the CLI runs for it.</summary>
    private static async Task FleetAsync(CancellationToken ct, params string[] args)
    {
        var root = new RootCommand();
        foreach (var group in CommandGroups.All())
        {
            root.Subcommands.Add(group);
        }

        var code = await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, ct);
        if (code != 0)
        {
            throw new CliFailure($"demo step 'fleet {string.Join(' ', args)}' failed with exit code {code}", code);
        }
    }

    private static async Task WaitForAsync(Func<HubClient, Task<bool>> condition, string what, CancellationToken ct)
    {
        using var hub = new HubClient(HubLogin.Resolve());
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (!await condition(hub))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new CliFailure($"gave up waiting for {what} after 3 minutes");
            }

            await Task.Delay(500, ct);
        }
    }

    private static async Task StepAsync(string title, Func<Task> step)
    {
        await ConsoleProgress.RunAsync(title, 1, async progress =>
        {
            await step();
            progress.Report(1);
            return true;
        });
        if (!ConsoleProgress.Interactive)
        {
            Console.WriteLine($"done: {title}");
        }
    }

    /// <summary>Unpacks a bundle's payload and manifest into a slot, as `fleet device burn` does for a new card.</summary>
    private static void Install(string bundle, string slot)
    {
        Directory.CreateDirectory(slot);
        using var zip = ZipFile.OpenRead(bundle);
        using var payload = new MemoryStream();
        using (var s = zip.GetEntry("payload")!.Open())
        {
            s.CopyTo(payload);
        }

        payload.Position = 0;
        var result = PayloadExtractor.Extract(payload, slot);
        if (!result.IsSuccess)
        {
            throw new CliFailure($"cannot unpack {bundle} into {slot}: {result}");
        }

        zip.GetEntry("manifest.json")!.ExtractToFile(Path.Combine(slot, "manifest.json"), overwrite: true);
        zip.GetEntry("manifest.sig")!.ExtractToFile(Path.Combine(slot, "manifest.sig"), overwrite: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Tanks first (SIGTERM: relays off), then the hub (SIGINT: graceful shutdown), then the temp folder.</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_tanks.Select(t => t.StopAsync()));
        if (_hub is not null)
        {
            await _hub.StopAsync(PosixSignals.SigInt, TimeSpan.FromSeconds(20));
            _hub.Dispose();
        }

        try
        {
            _dir.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
