using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Fleet.Protocol.Messages;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests.Agent;

/// <summary>A device root provisioned at a real hub the way <c>fleet device provision</c> does it (key made here,
/// only the CSR sent), and the real agent process in <c>--simulate</c> on it. Dispose kills the agent by its PID.</summary>
internal sealed class SimulatedTank : IAsyncDisposable
{
    /// <summary>The agent's sampling period (agent.json below); gaps in a series are judged against it.</summary>
    public static readonly TimeSpan SamplingPeriod = TimeSpan.FromSeconds(1);

    private readonly TempDir _root = new("fleet-agentint");

    private SimulatedTank(string serial)
    {
        Serial = serial;
    }

    public string Serial { get; }

    public string Root => _root.Path;

    public string SpoolDir => _root.Combine("spool");

    public ProductProcess? Agent { get; private set; }

    /// <summary>Provisions SERIAL under a fresh product. Reconnect backoff is capped at 2 s in agent.json so the agent
    /// finds a restarted hub within seconds (the default cap is 60 s); sampling and batching keep their defaults.</summary>
    public static async Task<SimulatedTank> ProvisionAsync(RunningHub hub, string serial)
    {
        var product = "algae-" + Guid.NewGuid().ToString("N")[..8];
        await hub.PostOkAsync("/api/v1/products", new { name = product });
        var tank = new SimulatedTank(serial);
        var dir = tank._root.Combine("provisioning");
        Directory.CreateDirectory(dir);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var client = hub.Admin();
        var response = await client.PostAsJsonAsync("/api/v1/devices", new { serial, product, csr = DeviceIdentity.NewCsr(key, serial) });
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"provisioning {serial}: {(int)response.StatusCode} {text}");
        }

        var body = JsonDocument.Parse(text).RootElement;
        using (var f = File.Open(Path.Combine(dir, "device.key"), new FileStreamOptions
               {
                   Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
               }))
        using (var w = new StreamWriter(f))
        {
            await w.WriteAsync(key.ExportPkcs8PrivateKeyPem());
        }

        await File.WriteAllTextAsync(Path.Combine(dir, "device.crt"), body.GetProperty("certificatePem").GetString());
        await File.WriteAllTextAsync(Path.Combine(dir, "ca.crt"), body.GetProperty("caCertificatePem").GetString());
        await File.WriteAllTextAsync(Path.Combine(dir, "hub.json"),
            JsonSerializer.Serialize(new { host = body.GetProperty("mqttHost").GetString(), port = body.GetProperty("mqttPort").GetInt32() }));
        await File.WriteAllTextAsync(tank._root.Combine("agent.json"),
            $$"""{ "sampling": { "intervalMs": {{(int)SamplingPeriod.TotalMilliseconds}} }, "link": { "reconnectMinMs": 500, "reconnectMaxMs": 2000 } }""");
        return tank;
    }

    /// <summary>Starts (or starts again) the real agent on this root.</summary>
    public ProductProcess StartAgent()
    {
        Agent = ProductProcess.Start(RepoPaths.DeviceDll, ["--root", Root, "--simulate"], workingDirectory: Root);
        return Agent;
    }

    /// <summary>The batches waiting in the agent's spool right now, read from the files the agent wrote.</summary>
    public IReadOnlyList<TelemetryBatch> SpooledBatches()
    {
        var batches = new List<TelemetryBatch>();
        if (!Directory.Exists(SpoolDir))
        {
            return batches;
        }

        foreach (var file in Directory.EnumerateFiles(SpoolDir, "*.json"))
        {
            if (!long.TryParse(Path.GetFileNameWithoutExtension(file), out _))
            {
                continue;
            }

            try
            {
                if (FleetJson.TryDeserialize<TelemetryBatch>(File.ReadAllBytes(file)) is { } batch)
                {
                    batches.Add(batch);
                }
            }
            catch (FileNotFoundException)
            {
                // Acknowledged and deleted between listing and reading: not waiting any more.
            }
        }

        return batches.OrderBy(b => b.Sequence).ToList();
    }

    /// <summary>What the hub stored for one sensor of this device, oldest first, read through its API.</summary>
    public async Task<IReadOnlyList<Reading>> StoredAsync(RunningHub hub, string sensor)
    {
        using var client = hub.Admin();
        var response = await client.GetAsync($"/api/v1/devices/{Serial}/telemetry?sensor={sensor}&limit=10000");
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET telemetry of {Serial}/{sensor}: {(int)response.StatusCode} {text}");
        }

        var readings = JsonSerializer.Deserialize<List<Reading>>(text, JsonSerializerOptions.Web)!;
        return readings.OrderBy(r => r.Ts).ToList();
    }

    /// <summary>The hub keeps timestamps to 100 µs; readings are matched on the millisecond.</summary>
    public static long Key(Reading r) => r.Ts.UtcTicks / TimeSpan.TicksPerMillisecond;

    /// <summary>The agent's output, for failure messages.</summary>
    public string AgentOutput() => Agent is null ? "(agent not started)" :
        string.Join('\n', Agent.Lines.TakeLast(60));

    public async ValueTask DisposeAsync()
    {
        if (Agent is not null)
        {
            await Agent.DisposeAsync();
        }

        _root.Dispose();
    }
}
