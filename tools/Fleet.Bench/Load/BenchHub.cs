using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Fleet.Bench.Load;

/// <summary>A real hub process (and, in external mode, its Mosquitto) on 127.0.0.1 free ports with a temp data dir.</summary>
internal sealed class BenchHub : IAsyncDisposable
{
    private readonly Process _hub;
    private readonly Process? _mosquitto;
    private readonly string _data;

    private BenchHub(Process hub, Process? mosquitto, string data, int httpPort, int mqttPort)
    {
        _hub = hub;
        _mosquitto = mosquitto;
        _data = data;
        HttpPort = httpPort;
        MqttPort = mqttPort;
        Anchor = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(data, "hub-ca.crt"));
        AdminToken = File.ReadAllText(Path.Combine(data, "admin-token")).Trim();
    }

    public int HttpPort { get; }
    public int MqttPort { get; }
    public X509Certificate2 Anchor { get; }
    public string AdminToken { get; }
    public int HubPid => _hub.Id;
    public int? BrokerPid => _mosquitto?.Id;

    public static async Task<BenchHub> StartAsync(string hubDll, bool external, IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        var data = Directory.CreateTempSubdirectory("fleet-bench-hub-").FullName;
        var http = FreePort();
        var mqtt = FreePort();
        var args = new List<string> { hubDll, "--data-dir", data, "--http-port", http.ToString(), "--mqtt-port", mqtt.ToString() };
        if (external)
        {
            args.AddRange(["--broker", "external", "--broker-config-dir", Path.Combine(data, "broker")]);
        }

        var hub = Start("dotnet", args, Path.Combine(data, "hub.log"), environment);
        await WaitForAsync(() => File.Exists(Path.Combine(data, "admin-token")) && File.ReadAllText(Path.Combine(data, "hub.log")).Contains("Fleet hub ready"), "the hub to start", ct);
        Process? mosquitto = null;
        if (external)
        {
            var conf = Path.Combine(data, "broker", "mosquitto.conf");
            var bench = Path.Combine(data, "broker", "bench-mosquitto.conf");
            // Root would make Mosquitto drop to its own user, which cannot read the 0600 key the hub wrote.
            await File.WriteAllTextAsync(bench, (Environment.UserName == "root" ? "user root\n" : "") + await File.ReadAllTextAsync(conf, ct), ct);
            mosquitto = Start("mosquitto", ["-c", bench], Path.Combine(data, "mosquitto.log"), new Dictionary<string, string>());
            await WaitForAsync(() => File.ReadAllText(Path.Combine(data, "hub.log")).Contains("Joined broker"), "the hub to join Mosquitto", ct);
        }

        return new BenchHub(hub, mosquitto, data, http, mqtt);
    }

    public HttpClient Client()
    {
        var anchor = Anchor;
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 32,
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) =>
            {
                if (cert is null)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(anchor);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(cert));
            } },
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{HttpPort}"), Timeout = TimeSpan.FromSeconds(120) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
        return client;
    }

    public async Task<double> MetricAsync(HttpClient client, string name)
    {
        var text = await client.GetStringAsync("/metrics");
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>Every series of a labelled counter on /metrics, by the value of its one label.</summary>
    public static async Task<Dictionary<string, double>> LabelledAsync(HttpClient client, string name)
    {
        var text = await client.GetStringAsync("/metrics");
        var series = new Dictionary<string, double>();
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name + "{", StringComparison.Ordinal))
            {
                var open = line.IndexOf('"') + 1;
                var label = line[open..line.IndexOf('"', open)];
                series[label] = double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return series;
    }

    /// <summary>The cumulative buckets (upper bound, count) of a Prometheus histogram on /metrics.</summary>
    public static async Task<List<(double Le, double Count)>> HistogramAsync(HttpClient client, string name)
    {
        var text = await client.GetStringAsync("/metrics");
        var buckets = new List<(double, double)>();
        var prefix = name + "_bucket{le=\"";
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                var close = line.IndexOf('"', prefix.Length);
                var le = line[prefix.Length..close];
                var count = double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                buckets.Add((le == "+Inf" ? double.PositiveInfinity : double.Parse(le, System.Globalization.CultureInfo.InvariantCulture), count));
            }
        }

        return buckets;
    }

    /// <summary>A quantile of the observations between two snapshots of one histogram, interpolated linearly inside
    /// its bucket as Prometheus' histogram_quantile does; the answer is only as fine as the buckets.</summary>
    public static double Quantile(List<(double Le, double Count)> before, List<(double Le, double Count)> after, double q)
    {
        var delta = after.Select((b, i) => (b.Le, Count: b.Count - (i < before.Count ? before[i].Count : 0))).ToList();
        var total = delta.Count == 0 ? 0 : delta[^1].Count;
        if (total <= 0)
        {
            return double.NaN;
        }

        var rank = q * total;
        double lower = 0, below = 0;
        foreach (var (le, count) in delta)
        {
            if (count >= rank)
            {
                return double.IsPositiveInfinity(le) ? lower : lower + (le - lower) * (rank - below) / Math.Max(1e-9, count - below);
            }

            lower = le;
            below = count;
        }

        return lower;
    }

    public async Task<string> ProvisionAsync(HttpClient client, string serial, string product, string csr, CancellationToken ct)
    {
        var response = await client.PostAsJsonAsync("/api/v1/devices", new { serial, product, tags = Array.Empty<string>(), csr }, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"provisioning {serial}: {(int)response.StatusCode} {body}");
        }

        return JsonDocument.Parse(body).RootElement.GetProperty("certificatePem").GetString()!;
    }

    public static long RssBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    /// <summary>User+system CPU seconds of a process, from /proc/PID/stat (clock ticks of 1/100 s on Linux).</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / 100.0;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in new[] { _hub, _mosquitto })
        {
            if (p is { HasExited: false })
            {
                p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync();
            }

            p?.Dispose();
        }

        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static Process Start(string program, IEnumerable<string> args, string log, IReadOnlyDictionary<string, string> environment)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi)!;
        var writer = new StreamWriter(log, append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (writer) { writer.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (writer) { writer.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForAsync(Func<bool> condition, string what, CancellationToken ct)
    {
        var until = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                if (condition())
                {
                    return;
                }
            }
            catch (IOException)
            {
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(200, ct);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
