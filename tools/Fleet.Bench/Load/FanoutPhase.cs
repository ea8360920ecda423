using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Messages;
using MQTTnet;

namespace Fleet.Bench.Load;

/// <summary>Rollout fan-out: the first N connected bench devices report running 1.0.0, a deployment group with
/// max-concurrent N is created on 1.1.0, and the hub's own orchestrator offers the update to all of them at once.
/// Timed from the group's creation until the hub counts all N committed; the hub's (and Mosquitto's) resident memory
/// is sampled every 100 ms meanwhile.</summary>
internal static class FanoutPhase
{
    public static async Task PublishAsync(BenchHub hub, HttpClient http, FanoutBundles bundles, CancellationToken ct)
    {
        await Ok(http.PostAsJsonAsync("/api/v1/keys", new { name = "bench", product = FanoutBundles.Product, publicKeyPem = bundles.Key.PublicKey.ToPem() }, ct));
        foreach (var path in new[] { bundles.OldPath, bundles.NewPath })
        {
            await using var body = File.OpenRead(path);
            var content = new StreamContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
            await Ok(http.PostAsync($"/api/v1/firmware?product={FanoutBundles.Product}", content, ct));
        }
    }

    public static async Task<FanoutFigures> RunAsync(string mode, BenchHub hub, HttpClient http, FanoutBundles bundles, IReadOnlyList<IMqttClient> connected,
        int count, int window, CancellationToken ct)
    {
        var chosen = connected.Take(count).ToList();
        Console.Error.WriteLine($"[{mode}] fan-out: {chosen.Count} devices report 1.0.0, then a group with max-concurrent {chosen.Count} moves them to 1.1.0 ({bundles.New.Payload.Size / 1048576.0:0} MiB, {bundles.New.Payload.Chunks.Count} chunks, window {window})");
        var policy = new VerificationPolicy([bundles.Key.PublicKey])
        {
            Product = FanoutBundles.Product,
            Platform = FanoutBundles.Platform,
            Architecture = FanoutBundles.Architecture,
            InstalledVersion = bundles.Old.Version,
        };
        var running = new FirmwareIdentity(bundles.Old.Id, bundles.Old.Version.ToString(), FanoutBundles.Product, FanoutBundles.Platform, FanoutBundles.Architecture);
        var clock = new Stopwatch();
        var devices = chosen.Select(c => new FanoutDevice(c, policy, running, window, clock)).ToList();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        await Parallel.ForEachAsync(devices, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (d, token) => await d.StartAsync(stop.Token));

        // The hub must know what each device runs before the group exists, or the first plan would not see them.
        var until = DateTime.UtcNow.AddSeconds(120);
        while (await ReportingAsync(http, bundles.Old.Id, ct) < devices.Count)
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException("the hub did not record the fan-out devices' status within 120 s");
            }

            await Task.Delay(250, ct);
        }

        var brokerPid = hub.BrokerPid;
        long hubPeak = 0, brokerPeak = 0;
        var sampling = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                hubPeak = Math.Max(hubPeak, BenchHub.RssBytes(hub.HubPid));
                if (brokerPid is { } b)
                {
                    brokerPeak = Math.Max(brokerPeak, BenchHub.RssBytes(b));
                }

                try
                {
                    await Task.Delay(100, stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }, CancellationToken.None);

        var hubCpu0 = BenchHub.CpuSeconds(hub.HubPid);
        var brokerCpu0 = brokerPid is { } bp0 ? BenchHub.CpuSeconds(bp0) : 0;
        var self = Process.GetCurrentProcess();
        var benchCpu0 = self.TotalProcessorTime.TotalSeconds;
        clock.Start();
        await Ok(http.PostAsJsonAsync("/api/v1/deployments", new
        {
            name = "fanout",
            product = FanoutBundles.Product,
            firmware = bundles.New.Version.ToString(),
            maxConcurrent = devices.Count,
            failureThresholdPercent = 100,
        }, ct));

        var committed = 0;
        var deadline = TimeSpan.FromMinutes(15);
        while (clock.Elapsed < deadline)
        {
            (committed, _) = await CommittedAsync(http, ct);
            if (committed >= devices.Count || devices.All(d => d.Done.IsCompleted) && devices.Any(d => d.Failure is not null))
            {
                break;
            }

            await Task.Delay(100, ct);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        // Offers beyond one per device: the orchestrator must never start a second attempt at a device that already
        // has one in flight or committed. Read a moment later, so an offer racing the last commit is seen too.
        await Task.Delay(2000, ct);
        var (_, extraOffers) = await CommittedAsync(http, ct);
        var hubCpu = BenchHub.CpuSeconds(hub.HubPid) - hubCpu0;
        var brokerCpu = brokerPid is { } bp1 ? BenchHub.CpuSeconds(bp1) - brokerCpu0 : 0;
        self.Refresh();
        var benchCpu = self.TotalProcessorTime.TotalSeconds - benchCpu0;
        await stop.CancelAsync();
        await sampling;

        var failures = devices.Where(d => d.Failure is not null).Select(d => d.Failure!).ToList();
        foreach (var f in failures.Take(5))
        {
            Console.Error.WriteLine($"[{mode}] fan-out failure: {f}");
        }

        var bytes = devices.Sum(d => d.BytesVerified);
        var lastDevice = devices.Where(d => d.Done.IsCompletedSuccessfully && d.Failure is null).Select(d => d.CommittedAt.TotalSeconds).DefaultIfEmpty(0).Max();
        Console.Error.WriteLine($"[{mode}] fan-out: {committed}/{devices.Count} committed in {seconds:0.0} s, {bytes / seconds / 1e6:0.0} MB/s, hub peak RSS {hubPeak / 1048576.0:0} MiB, CPU s hub {hubCpu:0.0} broker {brokerCpu:0.0} bench {benchCpu:0.0}");
        if (extraOffers > 0)
        {
            Console.Error.WriteLine($"[{mode}] fan-out: the hub started {extraOffers} attempt(s) beyond one per device");
        }

        return new FanoutFigures(devices.Count, committed, extraOffers, failures.Count, seconds, lastDevice, bytes, devices.Sum(d => d.CorruptChunks),
            hubPeak / 1048576.0, brokerPeak / 1048576.0, hubCpu, brokerCpu, benchCpu);
    }

    private static async Task<int> ReportingAsync(HttpClient http, string uuid, CancellationToken ct)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/devices?product={FanoutBundles.Product}&limit=1000", ct));
        return doc.RootElement.EnumerateArray().Count(d => d.TryGetProperty("firmwareUuid", out var u) && u.ValueKind == JsonValueKind.String && u.GetString() == uuid);
    }

    /// <summary>Devices with a committed attempt at the new release (each counted once, whatever came after), and how
    /// many attempts the hub started beyond one per device.</summary>
    private static async Task<(int Committed, int ExtraAttempts)> CommittedAsync(HttpClient http, CancellationToken ct)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync("/api/v1/deployments/fanout/progress", ct));
        var attempts = doc.RootElement.GetProperty("attempts").EnumerateArray()
            .Select(a => (Serial: a.GetProperty("serial").GetString(), State: a.GetProperty("state").GetString())).ToList();
        var committed = attempts.Where(a => a.State == "committed").Select(a => a.Serial).Distinct().Count();
        return (committed, attempts.Count - attempts.Select(a => a.Serial).Distinct().Count());
    }

    private static async Task Ok(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
