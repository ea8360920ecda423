using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Fleet.Testing;

/// <summary>A real hub process on free ports with its own data dir, ready when /healthz answers over TLS.
/// HTTP clients pin the hub's generated CA (DATA/ca.crt) exactly as devices and the CLI do.</summary>
public sealed class RunningHub : IAsyncDisposable
{
    private bool _ownsData;
    private IDictionary<string, string?>? _environment;

    private RunningHub(ProductProcess process, string dataDir, int httpPort, int mqttPort, bool ownsData, string caCertPath)
    {
        CaCertPath = caCertPath;
        Process = process;
        DataDir = dataDir;
        HttpPort = httpPort;
        MqttPort = mqttPort;
        _ownsData = ownsData;
        CaCertificate = X509CertificateLoader.LoadCertificateFromFile(CaCertPath);
        AdminToken = File.ReadAllText(Path.Combine(dataDir, "admin-token")).Trim();
    }

    public ProductProcess Process { get; }
    public string DataDir { get; }
    public int HttpPort { get; }
    public int MqttPort { get; }
    public string AdminToken { get; }
    public X509Certificate2 CaCertificate { get; }

    /// <summary>The certificate clients trust for the hub: DATA/hub-ca.crt (the hub CA, apart from the device CA), or the anchor given.</summary>
    public string CaCertPath { get; }

    public string Url => $"https://127.0.0.1:{HttpPort}";

    public static Task<RunningHub> StartAsync(string? dataDir = null, IEnumerable<string>? extraArgs = null, string? trustAnchorPath = null) =>
        StartAsync(dataDir, extraArgs, trustAnchorPath, environment: null);

    /// <summary>Like <see cref="StartAsync(string?, IEnumerable{string}?, string?)"/> with extra environment variables
    /// (e.g. test hooks); <see cref="RestartAsync"/> keeps them.</summary>
    public static Task<RunningHub> StartAsync(string? dataDir, IEnumerable<string>? extraArgs, string? trustAnchorPath, IDictionary<string, string?>? environment) =>
        StartOnPortsAsync(dataDir, extraArgs, trustAnchorPath, environment, null);

    /// <summary>Stops this process (SIGTERM) and starts a new one on the same data dir AND the same ports, so devices
    /// provisioned with this hub's address reconnect to the new process by themselves.</summary>
    public async Task<RunningHub> RestartOnSamePortsAsync(IEnumerable<string>? extraArgs = null, string? trustAnchorPath = null)
    {
        Process.Signal(Posix.SigTerm);
        await Process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        await Process.DisposeAsync();
        var restarted = await StartOnPortsAsync(DataDir, extraArgs, trustAnchorPath ?? CaCertPath, _environment, (HttpPort, MqttPort));
        restarted._ownsData = _ownsData;
        return restarted;
    }

    private static async Task<RunningHub> StartOnPortsAsync(string? dataDir, IEnumerable<string>? extraArgs, string? trustAnchorPath,
        IDictionary<string, string?>? environment, (int Http, int Mqtt)? ports)
    {
        var owns = dataDir is null;
        dataDir ??= Directory.CreateTempSubdirectory("fleet-hub-").FullName;
        var extra = extraArgs?.ToList() ?? [];

        // A free port can be taken by another process between FreePort.Next() and the hub's bind: try fresh ports
        // (unless the caller needs these exact ports back, as after a restart).
        for (var attempt = 1; ; attempt++)
        {
            var http = ports?.Http ?? FreePort.Next();
            var mqtt = ports?.Mqtt ?? FreePort.Next();
            while (mqtt == http)
            {
                mqtt = FreePort.Next();
            }

            var args = new List<string> { "--data-dir", dataDir, "--http-port", http.ToString(), "--mqtt-port", mqtt.ToString() };
            args.AddRange(extra);
            var process = ProductProcess.Start(RepoPaths.HubDll, args, workingDirectory: dataDir, environment: environment);
            try
            {
                if (await WaitReadyAsync(process, TimeSpan.FromSeconds(120)))
                {
                    return new RunningHub(process, dataDir, http, mqtt, owns, trustAnchorPath ?? Path.Combine(dataDir, "hub-ca.crt")) { _environment = environment };
                }

                var portTaken = process.StandardError.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
                    || process.StandardError.Contains("is in use", StringComparison.OrdinalIgnoreCase);
                if (attempt >= 3 || ports is not null || !portTaken)
                {
                    throw new InvalidOperationException($"the hub exited ({process.ExitCode}) before it was ready.\nstdout:\n{process.StandardOutput}\nstderr:\n{process.StandardError}");
                }

                await process.DisposeAsync();
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>True once the hub prints its ready line; false as soon as it exits without (no waiting out the timeout).</summary>
    private static async Task<bool> WaitReadyAsync(ProductProcess process, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.Lines.Any(l => l.StartsWith("Fleet hub ready", StringComparison.Ordinal)))
            {
                return true;
            }

            if (process.HasExited)
            {
                await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
                return process.Lines.Any(l => l.StartsWith("Fleet hub ready", StringComparison.Ordinal));
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the hub did not report ready within {timeout.TotalSeconds:0}s.\nstdout:\n{process.StandardOutput}\nstderr:\n{process.StandardError}");
    }

    /// <summary>Once this process is gone (e.g. after <see cref="ProductProcess.Kill"/>): a new one on the same data dir
    /// with these arguments and this one's environment, on fresh ports.</summary>
    public async Task<RunningHub> StartAgainAsync(IEnumerable<string>? extraArgs)
    {
        await Process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        await Process.DisposeAsync();
        var restarted = await StartAsync(DataDir, extraArgs, CaCertPath, _environment);
        restarted._ownsData = _ownsData;
        return restarted;
    }

    /// <summary>Stops this process (SIGTERM, then waits) and starts a new one on the same data dir.</summary>
    public async Task<RunningHub> RestartAsync()
    {
        Process.Signal(Posix.SigTerm);
        await Process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        await Process.DisposeAsync();
        var restarted = await StartAsync(DataDir, null, CaCertPath, _environment);
        restarted._ownsData = _ownsData;
        return restarted;
    }

    public HttpClient Client(string? token = null)
    {
        var anchors = Fleet.Protocol.Tls.HubAnchors.Load(CaCertPath);
        var handler = new HttpClientHandler
        {
            // The clients' own rule: the pinned anchor only, serverAuth, a subjectAltName for 127.0.0.1.
            ServerCertificateCustomValidationCallback = (_, cert, chain, _) =>
                Fleet.Protocol.Tls.HubCertificatePolicy.Check(cert, chain, "127.0.0.1", anchors) == Fleet.Protocol.Tls.HubCertificateVerdict.Trusted,
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(120) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public HttpClient Admin() => Client(AdminToken);

    /// <summary>GET with the admin token; the JSON body, or an exception naming the status and the hub's answer.</summary>
    public async Task<System.Text.Json.Nodes.JsonNode> GetJsonAsync(string path)
    {
        using var client = Admin();
        var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {text}");
        }

        return System.Text.Json.Nodes.JsonNode.Parse(text)!;
    }

    /// <summary>A client whose connections come from <paramref name="local"/> (any 127.x address is this host's
    /// loopback), as a browser does: no token, redirects not followed, cookies kept in <paramref name="cookies"/>.
    /// Same certificate check as <see cref="Client"/>.</summary>
    public HttpClient BrowserFrom(System.Net.IPAddress local, System.Net.CookieContainer? cookies = null)
    {
        var anchors = Fleet.Protocol.Tls.HubAnchors.Load(CaCertPath);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = cookies is not null,
            CookieContainer = cookies ?? new System.Net.CookieContainer(),
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, cert, chain, _) =>
                    Fleet.Protocol.Tls.HubCertificatePolicy.Check(cert, chain, "127.0.0.1", anchors) == Fleet.Protocol.Tls.HubCertificateVerdict.Trusted,
            },
            ConnectCallback = async (context, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                try
                {
                    socket.Bind(new System.Net.IPEndPoint(local, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(120) };
    }

    /// <summary>Creates a user with the role and returns its token.</summary>
    public async Task<string> CreateUserAsync(string name, string role)
    {
        using var admin = Admin();
        var response = await admin.PostAsJsonAsync("/api/v1/users", new { name, role });
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"creating user {name}: {(int)response.StatusCode} {body}");
        }

        return JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
    }

    public async Task PostOkAsync(string path, object body, string? token = null)
    {
        using var client = Client(token ?? AdminToken);
        var response = await client.PostAsJsonAsync(path, body);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        if (_ownsData)
        {
            try
            {
                Directory.Delete(DataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
