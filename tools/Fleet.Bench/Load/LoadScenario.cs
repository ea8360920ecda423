using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Fleet.Bench.Load;

/// <summary>Lightweight simulated devices (MQTTnet clients, each with its own provisioned certificate, no hardware) against
/// a real hub, first with its embedded broker, then with Mosquitto fronting it in external mode: connect storm, held
/// connections, idle CPU and steady telemetry. Bounded by --devices and --seconds; 127.0.0.1 only.</summary>
internal sealed class LoadScenario : IBenchScenario
{
    public string Name => "load";

    public string Description => "hub load: connect storm, held connections, telemetry, rollout fan-out; embedded broker vs Mosquitto (--devices N --seconds S --fanout-devices F --fanout-mib M --out FILE)";

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var devices = BenchArgs.Int(args, "--devices", 1000);
        var seconds = BenchArgs.Int(args, "--seconds", 10);
        var readings = BenchArgs.Int(args, "--readings", 20);
        var parallel = BenchArgs.Int(args, "--parallel", 64);
        var telemetryDevices = BenchArgs.Int(args, "--telemetry-devices", int.MaxValue);
        var fanoutDevices = BenchArgs.Int(args, "--fanout-devices", 100);
        var fanoutMib = BenchArgs.Int(args, "--fanout-mib", 50);
        var window = BenchArgs.Int(args, "--window", 8);
        var output = BenchArgs.String(args, "--out");
        var hubDll = BenchArgs.HubDll(args);
        if (!File.Exists(hubDll))
        {
            Console.Error.WriteLine($"Fleet.Bench: hub not built at {hubDll}; run `dotnet build -c Release hub/Fleet.Hub` or pass --hub-dll");
            return 2;
        }

        var modes = BenchArgs.String(args, "--modes") ?? "embedded,mosquitto";
        var hubEnvironment = BenchArgs.HubEnvironment(args);

        using var bundles = fanoutDevices > 0 ? await FanoutBundles.CreateAsync(fanoutMib, cancellationToken) : null;
        var results = new List<LoadResult>();
        foreach (var external in new[] { false, true })
        {
            if (!modes.Contains(external ? "mosquitto" : "embedded", StringComparison.Ordinal))
            {
                continue;
            }

            var plan = new ModePlan(external, devices, seconds, readings, parallel, Math.Min(telemetryDevices, devices), Math.Min(fanoutDevices, devices), window)
            {
                HubEnvironment = hubEnvironment,
            };
            results.Add(await RunModeAsync(hubDll, plan, bundles, cancellationToken));
        }

        var table = Table(results, args);
        Console.WriteLine(table);
        if (output is not null)
        {
            await File.WriteAllTextAsync(output, table, cancellationToken);
        }

        return 0;
    }

    private sealed record ModePlan(bool External, int Count, int Seconds, int ReadingsPerBatch, int Parallel, int TelemetryDevices, int FanoutDevices, int Window)
    {
        public IReadOnlyDictionary<string, string> HubEnvironment { get; init; } = new Dictionary<string, string>();
    }

    private static async Task<LoadResult> RunModeAsync(string hubDll, ModePlan plan, FanoutBundles? bundles, CancellationToken ct)
    {
        var (external, count, seconds, readingsPerBatch, parallel, _, _, _) = plan;
        var mode = external ? "mosquitto" : "embedded";
        Console.Error.WriteLine($"[{mode}] starting hub");
        await using var hub = await BenchHub.StartAsync(hubDll, external, plan.HubEnvironment, ct);
        using var http = hub.Client();
        var product = FanoutBundles.Product;
        (await http.PostAsync("/api/v1/products", new StringContent($"{{\"name\":\"{product}\"}}", Encoding.UTF8, "application/json"), ct)).EnsureSuccessStatusCode();
        if (bundles is not null && plan.FanoutDevices > 0)
        {
            await FanoutPhase.PublishAsync(hub, http, bundles, ct);
        }

        Console.Error.WriteLine($"[{mode}] provisioning {count} devices (each its own ECDSA P-256 key and certificate)");
        var provisioning = Stopwatch.StartNew();
        var identities = await BenchFleet.ProvisionAsync(hub, http, product, [.. Enumerable.Range(0, count).Select(Serial)], ct);
        Console.Error.WriteLine($"[{mode}] provisioned {count} in {provisioning.Elapsed.TotalSeconds:0.0} s");
        var brokerPid = hub.BrokerPid ?? hub.HubPid;
        await Task.Delay(2000, ct);
        var hubBefore = BenchHub.RssBytes(hub.HubPid);
        var brokerBefore = BenchHub.RssBytes(brokerPid);

        Console.Error.WriteLine($"[{mode}] connect storm: {count} devices, {parallel} at a time");
        var clients = new IMqttClient[count];
        var latencies = new double[count];
        var failures = 0;
        var storm = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, async (i, token) =>
        {
            var client = new MqttClientFactory().CreateMqttClient();
            clients[i] = client;
            var options = BenchFleet.ClientOptions(hub, Serial(i), identities[i]);
            var one = Stopwatch.StartNew();
            try
            {
                var result = await client.ConnectAsync(options, token);
                if (result.ResultCode != MqttClientConnectResultCode.Success)
                {
                    Interlocked.Increment(ref failures);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Interlocked.Increment(ref failures);
            }

            latencies[i] = one.Elapsed.TotalMilliseconds;
        });
        storm.Stop();
        var connectsPerSecond = count / storm.Elapsed.TotalSeconds;
        Array.Sort(latencies);

        // Held connections: settle, then the resident growth per connection, and the hub's CPU while nothing happens.
        await Task.Delay(3000, ct);
        var hubHeld = BenchHub.RssBytes(hub.HubPid);
        var brokerHeld = BenchHub.RssBytes(brokerPid);
        var cpuBefore = BenchHub.CpuSeconds(hub.HubPid) + (hub.BrokerPid is { } b1 ? BenchHub.CpuSeconds(b1) : 0);
        var idle = Stopwatch.StartNew();
        await Task.Delay(5000, ct);
        var idleCpu = 100 * ((BenchHub.CpuSeconds(hub.HubPid) + (hub.BrokerPid is { } b2 ? BenchHub.CpuSeconds(b2) : 0)) - cpuBefore) / idle.Elapsed.TotalSeconds;

        var connected = clients.Where(c => c.IsConnected).ToArray();
        var senders = connected.Take(plan.TelemetryDevices).ToArray();
        Console.Error.WriteLine($"[{mode}] steady telemetry: {senders.Length} devices, one batch of {readingsPerBatch} readings each per second for {seconds} s");
        var telemetry = await BenchFleet.SteadyTelemetryAsync(hub, http, senders, seconds, readingsPerBatch, ct);
        var (sent, stored, readingsPerSecond, drainLagMs, lagP50, lagP99) = telemetry;
        var hubPeak = PeakRss(hub.HubPid);
        Console.Error.WriteLine($"[{mode}] telemetry: {stored:0} of {sent} readings stored, {readingsPerSecond:0}/s, lag p50 {lagP50:0} ms p99 {lagP99:0} ms, drain {drainLagMs:0} ms after the last send");

        var fanout = bundles is not null && plan.FanoutDevices > 0
            ? await FanoutPhase.RunAsync(mode, hub, http, bundles, connected, plan.FanoutDevices, plan.Window, ct)
            : FanoutFigures.None;

        Console.Error.WriteLine($"[{mode}] disconnecting");
        await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (c, _) =>
        {
            try
            {
                if (c.IsConnected)
                {
                    await c.DisconnectAsync();
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
            }

            c.Dispose();
        });

        var held = Math.Max(1, count - failures);
        return new LoadResult(mode, count, connectsPerSecond, Percentile(latencies, 0.50), Percentile(latencies, 0.99), failures,
            (hubHeld - hubBefore) / 1024.0 / held, external ? (brokerHeld - brokerBefore) / 1024.0 / held : (hubHeld - hubBefore) / 1024.0 / held,
            idleCpu, readingsPerSecond, drainLagMs, lagP50, lagP99, hubPeak / 1024.0 / 1024.0, fanout);
    }

    private static string Table(List<LoadResult> r, IReadOnlyList<string> args)
    {
        var e = r[0];
        var m = r.Count > 1 ? r[1] : r[0];
        string Row(string what, Func<LoadResult, double> f, string format, bool ratio = true) =>
            string.Create(CultureInfo.InvariantCulture, $"| {what} | {f(e).ToString(format, CultureInfo.InvariantCulture)} | {f(m).ToString(format, CultureInfo.InvariantCulture)} | {(!ratio || Math.Abs(f(m)) < 0.05 ? "-" : (f(e) / f(m)).ToString("0.00", CultureInfo.InvariantCulture))} |\n");
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Command: `dotnet tools/Fleet.Bench/bin/Release/net10.0/Fleet.Bench.dll load {string.Join(' ', args)}` ({Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, 1-minute load average at the end {File.ReadAllText("/proc/loadavg").Split(' ')[0]}, machine shared)\n\n");
        sb.Append("| figure | embedded broker | Mosquitto + hub (external) | ratio embedded/Mosquitto |\n|---|---|---|---|\n");
        sb.Append(Row("devices", x => x.Devices, "0"));
        sb.Append(Row("connect failures", x => x.ConnectFailures, "0"));
        sb.Append(Row("mutual-TLS connects/s", x => x.ConnectsPerSecond, "0"));
        sb.Append(Row("connect latency p50 (ms)", x => x.ConnectP50Ms, "0.0"));
        sb.Append(Row("connect latency p99 (ms)", x => x.ConnectP99Ms, "0.0"));
        sb.Append(Row("broker RSS per held connection (KiB)", x => x.BrokerRssPerConnectionKib, "0.0"));
        // In external mode the hub holds no device connection: a ratio against its noise means nothing.
        sb.Append(Row("hub RSS per held connection (KiB)", x => x.HubRssPerConnectionKib, "0.0", ratio: false));
        sb.Append(Row("idle CPU, hub (+ Mosquitto) (%)", x => x.IdleCpuPercent, "0.0"));
        sb.Append(Row("telemetry readings/s persisted", x => x.ReadingsPerSecond, "0"));
        sb.Append(Row("drain lag after the last send (ms)", x => x.DrainLagMs, "0"));
        sb.Append(Row("end-to-end reading lag p50 (ms)", x => x.LagP50Ms, "0"));
        sb.Append(Row("end-to-end reading lag p99 (ms)", x => x.LagP99Ms, "0"));
        sb.Append(Row("hub peak RSS up to here (MiB)", x => x.HubPeakRssMib, "0"));
        if (e.Fanout.Devices > 0)
        {
            sb.Append(Row("fan-out devices committed", x => x.Fanout.Committed, "0"));
            sb.Append(Row("fan-out device failures", x => x.Fanout.Failures, "0"));
            sb.Append(Row("fan-out attempts beyond one per device (must be 0)", x => x.Fanout.ExtraAttempts, "0"));
            sb.Append(Row("fan-out payload (MiB per device)", x => x.Fanout.Committed == 0 ? 0 : x.Fanout.BytesVerified / 1048576.0 / Math.Max(1, x.Fanout.Devices), "0.0"));
            sb.Append(Row("fan-out time until all committed (s)", x => x.Fanout.Seconds, "0.0"));
            sb.Append(Row("fan-out aggregate MB/s (verified payload)", x => x.Fanout.MegabytesPerSecond, "0.0"));
            sb.Append(Row("fan-out hub peak RSS (MiB)", x => x.Fanout.HubPeakRssMib, "0"));
            sb.Append(Row("fan-out Mosquitto peak RSS (MiB)", x => x.Fanout.BrokerPeakRssMib, "0"));
            sb.Append(Row("fan-out CPU s: hub", x => x.Fanout.HubCpuSeconds, "0.0"));
            sb.Append(Row("fan-out CPU s: Mosquitto", x => x.Fanout.BrokerCpuSeconds, "0.0"));
            sb.Append(Row("fan-out CPU s: bench devices", x => x.Fanout.BenchCpuSeconds, "0.0"));
        }
        return sb.ToString();
    }

    private static double PeakRss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024.0;
            }
        }

        return 0;
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string Serial(int i) => $"bench-{i:D5}";
}
