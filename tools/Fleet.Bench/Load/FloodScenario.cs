using System.Diagnostics;
using System.Globalization;
using System.Text;
using MQTTnet;

namespace Fleet.Bench.Load;

/// <summary>One hostile device against a fleet of good ones, on the embedded-broker hub: the same steady telemetry
/// phase twice in one run, first alone (phase A), then with <see cref="FloodDevice"/> flooding (phase B). Reports per
/// phase the good devices' stored readings/s and end-to-end lag, the hub's peak RSS and CPU, and for phase B what the
/// hub refused of the flood (its own counters) and how often it disconnected the flooder.</summary>
internal sealed class FloodScenario : IBenchScenario
{
    private const string DroppedMetric = "fleet_mqtt_messages_dropped_total";
    private const string ThrottledMetric = "fleet_mqtt_messages_throttled_total";

    public string Name => "flood";

    public string Description => "one device flooding malformed, oversized, retained and over-rate messages while N good devices send telemetry; lag and hub RSS without and with the flood (--devices N --seconds S --out FILE)";

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var devices = BenchArgs.Int(args, "--devices", 1000);
        var seconds = BenchArgs.Int(args, "--seconds", 20);
        var readings = BenchArgs.Int(args, "--readings", 20);
        var parallel = BenchArgs.Int(args, "--parallel", 64);
        var output = BenchArgs.String(args, "--out");
        var hubDll = BenchArgs.HubDll(args);
        if (!File.Exists(hubDll))
        {
            Console.Error.WriteLine($"Fleet.Bench: hub not built at {hubDll}; run `dotnet build -c Release hub/Fleet.Hub` or pass --hub-dll");
            return 2;
        }

        if (devices < 1 || seconds < 1 || readings < 1)
        {
            Console.Error.WriteLine("Fleet.Bench flood: --devices, --seconds and --readings must be at least 1");
            return 2;
        }

        var ct = cancellationToken;
        Console.Error.WriteLine("[flood] starting hub (embedded broker)");
        await using var hub = await BenchHub.StartAsync(hubDll, external: false, BenchArgs.HubEnvironment(args), ct);
        using var http = hub.Client();
        var product = FanoutBundles.Product;
        (await http.PostAsync("/api/v1/products", new StringContent($"{{\"name\":\"{product}\"}}", Encoding.UTF8, "application/json"), ct)).EnsureSuccessStatusCode();

        Console.Error.WriteLine($"[flood] provisioning {devices} good devices and one flooder");
        var serials = Enumerable.Range(0, devices).Select(i => $"bench-{i:D5}").Append("bench-flood").ToArray();
        var identities = await BenchFleet.ProvisionAsync(hub, http, product, serials, ct);

        Console.Error.WriteLine($"[flood] connecting {devices} good devices, {parallel} at a time");
        var clients = new IMqttClient[devices];
        var failures = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, devices), new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, async (i, token) =>
        {
            clients[i] = new MqttClientFactory().CreateMqttClient();
            try
            {
                if ((await clients[i].ConnectAsync(BenchFleet.ClientOptions(hub, serials[i], identities[i]), token)).ResultCode != MqttClientConnectResultCode.Success)
                {
                    Interlocked.Increment(ref failures);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Interlocked.Increment(ref failures);
            }
        });
        var senders = clients.Where(c => c.IsConnected).ToArray();
        await Task.Delay(3000, ct);

        Console.Error.WriteLine($"[flood] phase A: {senders.Length} devices, one batch of {readings} readings each per second for {seconds} s, no flood");
        var quiet = await PhaseAsync(hub, http, senders, seconds, readings, firstSequence: 1, flood: null, ct);
        Console.Error.WriteLine($"[flood] phase A: {quiet.Telemetry.Stored:0} of {quiet.Telemetry.Sent} stored, lag p50 {quiet.Telemetry.LagP50Ms:0} ms p99 {quiet.Telemetry.LagP99Ms:0} ms, hub peak {quiet.HubPeakRssMib:0} MiB");
        await Task.Delay(3000, ct);

        Console.Error.WriteLine($"[flood] phase B: the same with bench-flood flooding");
        var flooder = new FloodDevice(hub, serials[^1], identities[^1]);
        var flooded = await PhaseAsync(hub, http, senders, seconds, readings, firstSequence: seconds + 1, flooder, ct);
        Console.Error.WriteLine($"[flood] phase B: {flooded.Telemetry.Stored:0} of {flooded.Telemetry.Sent} stored, lag p50 {flooded.Telemetry.LagP50Ms:0} ms p99 {flooded.Telemetry.LagP99Ms:0} ms, hub peak {flooded.HubPeakRssMib:0} MiB; flooder sent {flooder.Sent}, {flooder.Disconnects} disconnects");
        var hubAlive = !Process.GetProcessById(hub.HubPid).HasExited;

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

        var table = Table(args, devices, failures, quiet, flooded, flooder, hubAlive);
        Console.WriteLine(table);
        if (output is not null)
        {
            await File.WriteAllTextAsync(output, table, ct);
        }

        return 0;
    }

    private sealed record Phase(TelemetryFigures Telemetry, double HubPeakRssMib, double HubCpuSeconds, double Seconds,
        Dictionary<string, double> Dropped, Dictionary<string, double> Throttled);

    /// <summary>One steady telemetry phase, with the flooder running from its start until every good reading is
    /// stored when there is one; the hub's RSS sampled every 100 ms, its CPU and refusal counters read around it.</summary>
    private static async Task<Phase> PhaseAsync(BenchHub hub, HttpClient http, IMqttClient[] senders, int seconds, int readings, int firstSequence, FloodDevice? flood, CancellationToken ct)
    {
        var droppedBefore = await BenchHub.LabelledAsync(http, DroppedMetric);
        var throttledBefore = await BenchHub.LabelledAsync(http, ThrottledMetric);
        var cpuBefore = BenchHub.CpuSeconds(hub.HubPid);
        var clock = Stopwatch.StartNew();
        TelemetryFigures telemetry;
        long peak;
        await using (var rss = new RssSampler(hub.HubPid))
        {
            using var stopFlood = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var flooding = flood?.RunAsync(stopFlood.Token) ?? Task.CompletedTask;
            try
            {
                telemetry = await BenchFleet.SteadyTelemetryAsync(hub, http, senders, seconds, readings, ct, firstSequence);
            }
            finally
            {
                await stopFlood.CancelAsync();
                await flooding;
            }

            peak = rss.PeakBytes;
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        var cpu = BenchHub.CpuSeconds(hub.HubPid) - cpuBefore;
        return new Phase(telemetry, peak / 1048576.0, cpu, elapsed,
            Delta(droppedBefore, await BenchHub.LabelledAsync(http, DroppedMetric)),
            Delta(throttledBefore, await BenchHub.LabelledAsync(http, ThrottledMetric)));
    }

    private static Dictionary<string, double> Delta(Dictionary<string, double> before, Dictionary<string, double> after) =>
        after.Select(kv => (kv.Key, Value: kv.Value - before.GetValueOrDefault(kv.Key))).Where(x => x.Value > 0)
            .OrderBy(x => x.Key, StringComparer.Ordinal).ToDictionary(x => x.Key, x => x.Value);

    private static string Table(IReadOnlyList<string> args, int devices, int failures, Phase a, Phase b, FloodDevice flooder, bool hubAlive)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Command: `dotnet tools/Fleet.Bench/bin/Release/net10.0/Fleet.Bench.dll flood {string.Join(' ', args)}` ({Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, 1-minute load average at the end {File.ReadAllText("/proc/loadavg").Split(' ')[0]}, machine shared)\n\n");
        sb.Append("| figure | A: no flood | B: with the flood |\n|---|---|---|\n");
        void Row(string what, string x, string y) => sb.Append(CultureInfo.InvariantCulture, $"| {what} | {x} | {y} |\n");
        string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        Row("good devices connected", F(devices - failures, "0"), F(devices - failures, "0"));
        Row("good readings sent / stored", $"{a.Telemetry.Sent} / {F(a.Telemetry.Stored, "0")}", $"{b.Telemetry.Sent} / {F(b.Telemetry.Stored, "0")}");
        Row("good readings/s stored", F(a.Telemetry.ReadingsPerSecond, "0"), F(b.Telemetry.ReadingsPerSecond, "0"));
        Row("drain lag after the last send (ms)", F(a.Telemetry.DrainLagMs, "0"), F(b.Telemetry.DrainLagMs, "0"));
        Row("end-to-end reading lag p50 (ms)", F(a.Telemetry.LagP50Ms, "0"), F(b.Telemetry.LagP50Ms, "0"));
        Row("end-to-end reading lag p99 (ms)", F(a.Telemetry.LagP99Ms, "0"), F(b.Telemetry.LagP99Ms, "0"));
        Row("p99 under 2 s", a.Telemetry.LagP99Ms < 2000 ? "yes" : "**no**", b.Telemetry.LagP99Ms < 2000 ? "yes" : "**no**");
        Row("hub peak RSS in the phase (MiB)", F(a.HubPeakRssMib, "0"), F(b.HubPeakRssMib, "0"));
        Row("hub CPU s in the phase (s of phase)", $"{F(a.HubCpuSeconds, "0.0")} ({F(a.Seconds, "0.0")})", $"{F(b.HubCpuSeconds, "0.0")} ({F(b.Seconds, "0.0")})");
        Row("flooder messages answered (PUBACK)", "-", $"{flooder.Sent} ({F(flooder.Sent / b.Seconds, "0")}/s)");
        Row("… of which PUBACK refused", "-", flooder.PubackRefused.ToString(CultureInfo.InvariantCulture));
        Row("flooder disconnected by the hub / failed reconnects", "-", $"{flooder.Disconnects} / {flooder.ConnectFailures}");
        var reasons = a.Dropped.Keys.Union(b.Dropped.Keys).OrderBy(k => k, StringComparer.Ordinal);
        foreach (var reason in reasons)
        {
            Row($"dropped: {reason}", F(a.Dropped.GetValueOrDefault(reason), "0"), F(b.Dropped.GetValueOrDefault(reason), "0"));
        }

        Row("dropped: total", F(a.Dropped.Values.Sum(), "0"), F(b.Dropped.Values.Sum(), "0"));
        foreach (var kind in a.Throttled.Keys.Union(b.Throttled.Keys).OrderBy(k => k, StringComparer.Ordinal))
        {
            Row($"throttled: {kind}", F(a.Throttled.GetValueOrDefault(kind), "0"), F(b.Throttled.GetValueOrDefault(kind), "0"));
        }

        Row("hub still running at the end", "-", hubAlive ? "yes" : "**no**");
        return sb.ToString();
    }
}
