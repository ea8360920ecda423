using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Fleet.Protocol;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Signing;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Fleet.Bench.Scenarios;

/// <summary>Firmware delivery throughput: starts a real hub (Release build), publishes a signed bundle with a random
/// payload, provisions N devices, then (1) N lightweight MQTTnet clients with their device certificates fetch every
/// chunk over fw/req + fw/chunk/{uuid} through the embedded broker, checking each chunk's SHA-256 against the signed
/// manifest as a device does (each device is first offered the release, as the hub serves only offered firmware), and (2) N HTTPS clients download the same payload from the hub's Kestrel. Prints
/// aggregate MB/s of both and their ratio.</summary>
internal sealed class OtaScenario : IBenchScenario
{
    public string Name => "ota";

    public string Description => "chunked MQTT delivery vs HTTPS download from a real hub [--size-mib 50] [--clients 20] [--window 16] [--warmup 5] [--rounds 5] [--chunk-kib 64] [--hub-dll PATH]";

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var sizeMib = 50;
        var clients = 20;
        var window = 16;
        int? chunkKib = null;
        var roundCount = 5;
        var warmupCount = 5;
        string? hubDll = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--size-mib": sizeMib = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--clients": clients = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--window": window = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warmup": warmupCount = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--rounds": roundCount = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--chunk-kib": chunkKib = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--hub-dll": hubDll = args[++i]; break;
                default:
                    Console.Error.WriteLine($"Fleet.Bench ota: unknown option '{args[i]}'");
                    return 1;
            }
        }

        if (window < 2 || window > Fleet.Protocol.Messages.Validation.InboundLimits.MaxChunkIndexesPerRequest)
        {
            Console.Error.WriteLine($"Fleet.Bench ota: --window {window} is out of range; a device may have 2 to {Fleet.Protocol.Messages.Validation.InboundLimits.MaxChunkIndexesPerRequest} chunks in flight");
            return 1;
        }

        hubDll ??= FindHubDll();
        if (hubDll is null || !File.Exists(hubDll))
        {
            Console.Error.WriteLine("Fleet.Bench ota: hub not built; run 'dotnet build hub/Fleet.Hub -c Release' or pass --hub-dll PATH");
            return 1;
        }

        var dir = Directory.CreateTempSubdirectory("fleet-bench-ota-").FullName;
        Process? hub = null;
        try
        {
            Console.WriteLine($"ota benchmark: {sizeMib} MiB payload, {clients} clients, window {window}, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
            var key = SigningKey.Generate();
            var payload = Path.Combine(dir, "payload.bin");
            await using (var f = File.Create(payload))
            {
                var buffer = new byte[1 << 20];
                for (var m = 0; m < sizeMib; m++)
                {
                    RandomNumberGenerator.Fill(buffer);
                    await f.WriteAsync(buffer, cancellationToken);
                }
            }

            var bundle = Path.Combine(dir, "bench.fwb");
            var spec = new BundleSpec { Product = "bench", Version = Semver.SemVersion.Parse("1.0.0", Semver.SemVersionStyles.Strict), Platform = "sim", Architecture = "x64", ChunkSize = chunkKib * 1024 };
            var manifest = await BundleWriter.CreateAsync(spec, payload, bundle, cancellationToken: cancellationToken);
            await BundleWriter.SignAsync(bundle, key, cancellationToken: cancellationToken);

            var data = Path.Combine(dir, "hub");
            var (httpPort, mqttPort) = (FreePort(), FreePort());
            hub = StartHub(hubDll, data, httpPort, mqttPort);
            var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(data, "hub-ca.crt"));
            var token = (await File.ReadAllTextAsync(Path.Combine(data, "admin-token"), cancellationToken)).Trim();
            using var api = Http(httpPort, ca, token);
            await Ok(api.PostAsJsonAsync("/api/v1/products", new { name = "bench" }, cancellationToken));
            await Ok(api.PostAsJsonAsync("/api/v1/keys", new { name = "bench", product = "bench", publicKeyPem = key.PublicKey.ToPem() }, cancellationToken));
            await using (var body = File.OpenRead(bundle))
            {
                var content = new StreamContent(body);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
                await Ok(api.PostAsync("/api/v1/firmware?product=bench", content, cancellationToken));
            }

            var devices = new List<X509Certificate2>();
            for (var i = 0; i < clients; i++)
            {
                var serial = $"bench-{i:D3}";
                using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var csr = new CertificateRequest($"CN={serial}", ecdsa, HashAlgorithmName.SHA256).CreateSigningRequestPem();
                var response = await Ok(api.PostAsJsonAsync("/api/v1/devices", new { serial, product = "bench", csr }, cancellationToken));
                var pem = JsonDocument.Parse(response).RootElement.GetProperty("certificatePem").GetString()!;
                using var cert = X509Certificate2.CreateFromPem(pem);
                using var withKey = cert.CopyWithPrivateKey(ecdsa);
                devices.Add(X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null));
            }

            foreach (var device in devices)
            {
                await OfferAsync(api, device, ca, mqttPort, cancellationToken);
            }

            var chunks = manifest.Payload.Chunks.Select(c => Convert.FromHexString(c.Sha256)).ToArray();
            var total = (double)manifest.Payload.Size * clients;

            var self = Process.GetCurrentProcess();
            (double Hub, double Clients) Cpu()
            {
                hub.Refresh();
                self.Refresh();
                return (hub.TotalProcessorTime.TotalSeconds, self.TotalProcessorTime.TotalSeconds);
            }

            // Full rounds of both paths first, not counted: tiered compilation and dynamic PGO keep re-compiling the hot
            // paths of both processes for several rounds (hub CPU per MQTT round fell 3.1 -> 2.3 -> 1.5 s over the first
            // three on a quiet machine), and a long-running hub and device are past that.
            for (var round = 1; round <= warmupCount; round++)
            {
                Console.WriteLine($"warm-up round {round} of {warmupCount} (not counted) ...");
                await Task.WhenAll(devices.Select(d => FetchOverMqttAsync(d, ca, mqttPort, manifest.Id, chunks, window, cancellationToken)));
                await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => FetchOverHttpsAsync(httpPort, ca, token, manifest.Id, manifest.Payload, chunks, cancellationToken)));
            }

            // Rounds alternate MQTT and HTTPS so that load from anything else on the machine falls on both paths
            // alike; the medians are the result.
            var rounds = new List<(double Mqtt, double Https)>();
            for (var round = 1; round <= roundCount; round++)
            {
                var cpu0 = Cpu();
                var mqttClock = Stopwatch.StartNew();
                await Task.WhenAll(devices.Select(d => FetchOverMqttAsync(d, ca, mqttPort, manifest.Id, chunks, window, cancellationToken)));
                var mqttSeconds = mqttClock.Elapsed.TotalSeconds;
                var cpu1 = Cpu();
                var httpClock = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => FetchOverHttpsAsync(httpPort, ca, token, manifest.Id, manifest.Payload, chunks, cancellationToken)));
                var httpSeconds = httpClock.Elapsed.TotalSeconds;
                var cpu2 = Cpu();
                var (mqttRate, httpRate) = (total / mqttSeconds / 1e6, total / httpSeconds / 1e6);
                rounds.Add((mqttRate, httpRate));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}: MQTT {mqttSeconds:0.00} s = {mqttRate:0.0} MB/s (CPU s hub {cpu1.Hub - cpu0.Hub:0.0}, clients {cpu1.Clients - cpu0.Clients:0.0}); " +
                    $"HTTPS {httpSeconds:0.00} s = {httpRate:0.0} MB/s (CPU s hub {cpu2.Hub - cpu1.Hub:0.0}, clients {cpu2.Clients - cpu1.Clients:0.0}); " +
                    $"MQTT / HTTPS = {mqttRate / httpRate * 100:0}%; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
            }

            static double Median(IEnumerable<double> values)
            {
                var sorted = values.Order().ToArray();
                return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
            }

            var (mqtt, https) = (Median(rounds.Select(r => r.Mqtt)), Median(rounds.Select(r => r.Https)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"MQTT  fw/req + fw/chunk: {clients} x {sizeMib} MiB, median of {roundCount} rounds = {mqtt:0.0} MB/s aggregate ({chunks.Length} chunks each, every chunk hash-checked)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"HTTPS GET payload:       {clients} x {sizeMib} MiB, median of {roundCount} rounds = {https:0.0} MB/s aggregate (every chunk hash-checked)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MQTT / HTTPS = {mqtt / https * 100:0}% (target >= 70%)"));
            return 0;
        }
        finally
        {
            if (hub is { HasExited: false })
            {
                hub.Kill(entireProcessTree: true);
                await hub.WaitForExitAsync(CancellationToken.None);
            }

            hub?.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task FetchOverMqttAsync(X509Certificate2 device, X509Certificate2 ca, int port, string uuid, byte[][] hashes, int window, CancellationToken ct)
    {
        var serial = device.GetNameInfo(X509NameType.SimpleName, false);
        using var client = new MqttClientFactory().CreateMqttClient();
        var held = new bool[hashes.Length];
        var remaining = hashes.Length;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Released once per half window of chunks, and awaited, never blocked on: 20 clients blocking pool threads
        // would starve MQTTnet's own receive loops, and waking the asking loop per chunk only adds thread hops.
        var halfWindow = new SemaphoreSlim(0);
        var arrivals = 0;
        client.ApplicationMessageReceivedAsync += e =>
        {
            var index = int.Parse(e.ApplicationMessage.UserProperties!.First(p => p.Name == "index").ReadValueAsString(), CultureInfo.InvariantCulture);
            var payload = e.ApplicationMessage.Payload;
            var data = payload.IsSingleSegment ? payload.FirstSpan : System.Buffers.BuffersExtensions.ToArray(payload);
            if (!held[index] && SHA256.HashData(data).AsSpan().SequenceEqual(hashes[index]))
            {
                held[index] = true;
                if (Interlocked.Decrement(ref remaining) == 0)
                {
                    done.TrySetResult();
                }
            }

            if (Interlocked.Increment(ref arrivals) % (window / 2) == 0 || Volatile.Read(ref remaining) == 0)
            {
                halfWindow.Release();
            }

            return Task.CompletedTask;
        };
        var options = MqttOptions(device, ca, port);
        var connected = await client.ConnectAsync(options, ct);
        if (connected.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"{serial}: {connected.ResultCode} {connected.ReasonString}");
        }

        await client.SubscribeAsync(Topics.FirmwareChunk(serial, uuid), MqttQualityOfServiceLevel.AtLeastOnce, ct);
        var next = 0;
        async Task AskAsync(int count)
        {
            var ask = Enumerable.Range(next, Math.Min(count, hashes.Length - next)).ToList();
            next += ask.Count;
            if (ask.Count > 0)
            {
                await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.FirmwareRequest(serial))
                    .WithPayload(FleetJson.Serialize(new ChunkRequest(uuid, ask))).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
            }
        }

        // Keep about `window` chunks in flight: ask for half a window again whenever half a window has arrived.
        await AskAsync(window);
        while (!done.Task.IsCompleted)
        {
            if (!await halfWindow.WaitAsync(TimeSpan.FromSeconds(30), ct))
            {
                throw new TimeoutException($"{serial}: no chunk for 30 s ({remaining} missing)");
            }

            await AskAsync(window / 2);
        }

        await client.DisconnectAsync(cancellationToken: ct);
    }

    private static MqttClientOptions MqttOptions(X509Certificate2 device, X509Certificate2 ca, int port)
    {
        var serial = device.GetNameInfo(X509NameType.SimpleName, false);
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(serial)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithTlsOptions(tls => tls.UseTls().WithTargetHost("127.0.0.1").WithSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13)
                .WithClientCertificates([device])
                .WithCertificateValidationHandler(e =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return e.Certificate is not null && chain.Build(new X509Certificate2(e.Certificate));
                }))
            .Build();
        // The device agent's socket buffers (DeviceLink.SocketBufferBytes); MQTTnet's own default is 8 KiB.
        ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = 256 * 1024;
        return options;
    }

    /// <summary>The hub serves chunks only of firmware it has offered the device: push the release to each bench device
    /// while it is connected and wait for the offer to arrive. It is left unanswered, so the attempt stays in flight
    /// for the rounds that follow.</summary>
    private static async Task OfferAsync(HttpClient api, X509Certificate2 device, X509Certificate2 ca, int port, CancellationToken ct)
    {
        var serial = device.GetNameInfo(X509NameType.SimpleName, false);
        using var client = new MqttClientFactory().CreateMqttClient();
        var offered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ApplicationMessageReceivedAsync += e =>
        {
            offered.TrySetResult();
            return Task.CompletedTask;
        };
        var connected = await client.ConnectAsync(MqttOptions(device, ca, port), ct);
        if (connected.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"{serial}: {connected.ResultCode} {connected.ReasonString}");
        }

        await client.SubscribeAsync(Topics.Command(serial), MqttQualityOfServiceLevel.AtLeastOnce, ct);
        await Ok(api.PostAsJsonAsync($"/api/v1/devices/{serial}/update", new { firmware = "1.0.0" }, ct));
        await offered.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        await client.DisconnectAsync(cancellationToken: ct);
    }

    /// <summary>The same work at the receiving end as over MQTT: every chunk is hash-checked against the manifest.</summary>
    private static async Task FetchOverHttpsAsync(int port, X509Certificate2 ca, string token, string uuid, PayloadInfo payload, byte[][] hashes, CancellationToken ct)
    {
        using var http = Http(port, ca, token);
        await using var body = await http.GetStreamAsync($"/api/v1/firmware/{uuid}/payload", ct);
        for (var i = 0; i < hashes.Length; i++)
        {
            var chunk = new byte[payload.Chunks[i].Size];
            await body.ReadExactlyAsync(chunk, ct);
            if (!SHA256.HashData(chunk).AsSpan().SequenceEqual(hashes[i]))
            {
                throw new InvalidOperationException($"HTTPS chunk {i} does not match the manifest");
            }
        }

        if (await body.ReadAsync(new byte[1], ct) != 0)
        {
            throw new InvalidOperationException("HTTPS download is longer than the manifest says");
        }
    }

    private static HttpClient Http(int port, X509Certificate2 ca, string token)
    {
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return cert is not null && chain.Build(cert);
            },
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<string> Ok(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? text : throw new InvalidOperationException($"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
    }

    private static Process StartHub(string dll, string data, int httpPort, int mqttPort)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "--data-dir", data, "--http-port", httpPort.ToString(CultureInfo.InvariantCulture), "--mqtt-port", mqttPort.ToString(CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(psi)!;
        var ready = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith("Fleet hub ready", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!ready.Task.Wait(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the hub did not report ready within 90 s");
        }

        return process;
    }

    private static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    private static string? FindHubDll()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Fleet.sln")))
        {
            dir = dir.Parent;
        }

        return dir is null ? null : new[] { "Release", "Debug" }.Select(c => Path.Combine(dir.FullName, "hub", "Fleet.Hub", "bin", c, "net10.0", "Fleet.Hub.dll")).FirstOrDefault(File.Exists);
    }
}
