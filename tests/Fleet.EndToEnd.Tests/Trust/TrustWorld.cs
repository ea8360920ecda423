using System.IO.Compression;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Packaging;
using Fleet.Protocol.Signing;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests.Trust;

/// <summary>A real hub process in external-broker mode behind a real Mosquitto (mutual TLS on 127.0.0.1, the
/// configuration the hub generated), a product with TUF metadata, real agents started by fleet-boot under a
/// supervisor, and a <see cref="HubBrokerSession"/> with the hub's broker certificate that sees what devices publish
/// and can put any command into a device's session. Firmware-signing key A is the shared release key of
/// <see cref="OtaBundles"/> (v1.0.0 and v1.0.1 are signed by it).</summary>
internal sealed class TrustWorld : IAsyncDisposable
{
    private readonly TempDir _dir = new("fleet-trust");
    private readonly List<SupervisedAgent> _agents = [];
    private readonly OtaBundles _bundles;
    private MosquittoBroker? _broker;

    private TrustWorld(OtaBundles bundles, RunningHub hub)
    {
        _bundles = bundles;
        Hub = hub;
    }

    public RunningHub Hub { get; }

    public ProductTrust Trust { get; private set; } = null!;

    public HubBrokerSession Session { get; private set; } = null!;

    public string KeysDir => _dir.Combine("keys");

    public string KeyA => Path.Combine(_bundles.KeysDir, "release.key");

    public VerifyingKey PublicA => VerifyingKey.Load(_bundles.ReleasePub);

    /// <summary>Starts hub and broker, creates the product with key A registered and v1.0.0 published, and uploads
    /// root v1 and targets v1 made of <paramref name="delegations"/>.</summary>
    public static async Task<TrustWorld> StartAsync(OtaBundles bundles, Func<TrustWorld, (VerifyingKey, string)[]> delegations)
    {
        var data = Directory.CreateTempSubdirectory("fleet-trust-hub-").FullName;
        var env = new Dictionary<string, string?> { ["FLEET_HUB__ROLLOUTTICKSECONDS"] = "1" };
        var args = new[]
        {
            "--broker", "external", "--node-name", "a",
            "--broker-config-dir", Path.Combine(data, "broker"), "--broker-pid-file", Path.Combine(data, "mosquitto.pid"),
        };
        var hub = await RunningHub.StartAsync(data, args, null, env);
        var world = new TrustWorld(bundles, hub);
        try
        {
            world._broker = await MosquittoBroker.StartAsync(Path.Combine(data, "broker", "mosquitto.conf"), Path.Combine(data, "mosquitto.pid"));
            await hub.Process.WaitForLineAsync(l => l.Contains("Joined broker", StringComparison.Ordinal), "the hub to join the broker", TimeSpan.FromSeconds(60));
            world.Session = await HubBrokerSession.ConnectAsync(hub);
            Directory.CreateDirectory(world.KeysDir);
            await world.CliAsync("product", "create", OtaBundles.Product);
            await world.CliAsync("keys", "register", bundles.ReleasePub, "--product", OtaBundles.Product);
            await world.CliAsync("firmware", "publish", bundles.V100);
            world.Trust = await ProductTrust.ForAsync(hub, OtaBundles.Product);
            await world.Trust.PutAsync(hub, "root", world.Trust.Root(1));
            await world.Trust.PutAsync(hub, "targets", world.Trust.Targets(1, delegations(world)));
        }
        catch
        {
            await world.DisposeAsync();
            throw;
        }

        return world;
    }

    /// <summary>SERIAL's device root (provisioning/, slots/, update/).</summary>
    public string AgentRoot(string serial) => _dir.Combine(serial);

    public Task<string> CliAsync(params string[] args) => Cli.RunAsync(_bundles.ConfigDir, Hub, args);

    /// <summary>A firmware-signing key pair made by <c>fleet keys create</c>; returns the private key's path.</summary>
    public async Task<(string KeyPath, VerifyingKey Public)> CreateKeyAsync(string name)
    {
        await CliAsync("keys", "create", name, "--dir", KeysDir);
        return (Path.Combine(KeysDir, name + ".key"), VerifyingKey.Load(Path.Combine(KeysDir, name + ".pub")));
    }

    /// <summary>A real bundle for the sim platform made with <c>fleet firmware create</c> and signed with KEY. With
    /// <paramref name="runnableFrom"/> its payload is that bundle's (a real agent build); otherwise a payload no
    /// agent can start, for offers that must be refused before a byte is downloaded.</summary>
    public async Task<string> BundleAsync(string version, string key, string? runnableFrom = null)
    {
        var payload = _dir.Combine("payload-" + version);
        Directory.CreateDirectory(payload);
        if (runnableFrom is not null)
        {
            ExtractPayload(runnableFrom, payload);
        }
        else
        {
            await File.WriteAllTextAsync(Path.Combine(payload, "Fleet.Device.dll"), "not an assembly: this release must never be installed\n");
        }

        var output = _dir.Combine($"tank-{version}.fwb");
        await CliAsync("firmware", "create", "--product", OtaBundles.Product, "--version", version, "--platform", "sim", "--architecture", "x64",
            "--payload", payload, "--output", output);
        await CliAsync("firmware", "sign", output, "--key", key);
        return output;
    }

    /// <summary>The <c>update</c> command's args for BUNDLE, as the hub builds them: its exact manifest.json bytes
    /// and manifest.sig text.</summary>
    public static (UpdateOffer Offer, string Uuid, string Version) OfferOf(string bundle, string? group = null, byte[]? permit = null)
    {
        using var zip = ZipFile.OpenRead(bundle);
        var manifest = Read(zip, "manifest.json");
        var signatures = Encoding.UTF8.GetString(Read(zip, "manifest.sig"));
        var parsed = ManifestCodec.TryParse(manifest, BundleLimits.Default, out var m);
        if (parsed.Failure != VerificationFailure.None || m is null)
        {
            throw new InvalidOperationException($"{bundle}: {parsed}");
        }

        var offer = new UpdateOffer(Convert.ToBase64String(manifest), signatures, m.Payload.Chunks.Count, group, permit is null ? null : Convert.ToBase64String(permit));
        return (offer, m.Id, m.Version.ToString());
    }

    /// <summary>Registers SERIAL at the hub the way <c>fleet device provision</c> does (key made here, only the CSR
    /// sent) and writes its provisioning folder as the CLI does, plus <c>trust/</c> from the answer's <c>trustRoot</c> and
    /// <c>trustTargets</c>; installs BUNDLE into slot a and starts the agent through fleet-boot.</summary>
    /// <param name="legacy">Provisioned as before TUF: trusted-keys/ only, no trust/.</param>
    public async Task<SupervisedAgent> AddDeviceAsync(string serial, string bundle, bool legacy = false)
    {
        var root = _dir.Combine(serial);
        var provisioning = Path.Combine(root, "provisioning");
        var slot = Path.Combine(root, "slots", "a");
        Directory.CreateDirectory(provisioning);
        Directory.CreateDirectory(slot);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        JsonNode body;
        using (var client = Hub.Admin())
        {
            var response = await client.PostAsJsonAsync("/api/v1/devices", new { serial, product = OtaBundles.Product, tags = Array.Empty<string>(), csr = DeviceIdentity.NewCsr(key, serial) });
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"provisioning {serial}: {(int)response.StatusCode} {text}");
            }

            body = JsonNode.Parse(text)!;
        }

        using (var f = File.Open(Path.Combine(provisioning, "device.key"), new FileStreamOptions
               {
                   Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
               }))
        using (var w = new StreamWriter(f))
        {
            await w.WriteAsync(key.ExportPkcs8PrivateKeyPem());
        }

        await File.WriteAllTextAsync(Path.Combine(provisioning, "device.crt"), body["certificatePem"]!.ToString());
        await File.WriteAllTextAsync(Path.Combine(provisioning, "ca.crt"), body["caCertificatePem"]!.ToString());
        await File.WriteAllTextAsync(Path.Combine(provisioning, "hub.json"),
            JsonSerializer.Serialize(new { host = body["mqttHost"]!.ToString(), port = body["mqttPort"]!.GetValue<int>() }));
        // The legacy trusted-keys/ the CLI writes beside trust/ (the product's registered keys, A among them): with
        // trust metadata present the device must ignore them.
        var trustedKeys = Path.Combine(provisioning, "trusted-keys");
        Directory.CreateDirectory(trustedKeys);
        foreach (var k in body["trustedKeys"]?.AsArray() ?? [])
        {
            await File.WriteAllTextAsync(Path.Combine(trustedKeys, k!["name"]!.ToString() + ".pub"), k["publicKeyPem"]!.ToString());
        }

        if (!legacy)
        {
            var trust = Path.Combine(provisioning, "trust");
            Directory.CreateDirectory(trust);
            var rootJson = body["trustRoot"]?.ToString() ?? throw new InvalidOperationException($"the hub's provisioning answer has no trustRoot: {body}");
            var targetsJson = body["trustTargets"]?.ToString() ?? throw new InvalidOperationException($"the hub's provisioning answer has no trustTargets: {body}");
            await File.WriteAllBytesAsync(Path.Combine(trust, "root.json"), Convert.FromBase64String(rootJson));
            await File.WriteAllBytesAsync(Path.Combine(trust, "targets.json"), Convert.FromBase64String(targetsJson));
            await File.WriteAllTextAsync(Path.Combine(trust, "membership.json"), "{\"tags\":[],\"groups\":[]}\n");
        }

        ExtractPayload(bundle, slot);
        using (var zip = ZipFile.OpenRead(bundle))
        {
            zip.GetEntry("manifest.json")!.ExtractToFile(Path.Combine(slot, "manifest.json"));
            zip.GetEntry("manifest.sig")!.ExtractToFile(Path.Combine(slot, "manifest.sig"));
        }

        await File.WriteAllTextAsync(Path.Combine(root, "boot.json"), "{\"active\":\"a\",\"committed\":\"a\",\"trial\":null}\n");
        // Status every 5 s (default 60) so a change of trust shows within seconds; reconnects capped at 2 s.
        await File.WriteAllTextAsync(Path.Combine(root, "agent.json"),
            """{ "link": { "statusIntervalSeconds": 5, "reconnectMinMs": 500, "reconnectMaxMs": 2000 } }""");
        await Session.WatchAsync(serial);
        var agent = SupervisedAgent.Start(root);
        _agents.Add(agent);
        return agent;
    }

    /// <summary>Waits until SERIAL's status says it runs VERSION and holds trust root/targets of these versions.</summary>
    public Task StatusAsync(string serial, string version, long root, long targets, TimeSpan? timeout = null) =>
        Eventually.Until(() =>
        {
            var (s, _) = Session.LatestStatus(serial);
            return s is { Online: true } && s.Firmware?.Version == version && s.Trust is { } t && t.Root == root && t.Targets == targets;
        }, $"{serial} to report {version} with trust root v{root}, targets v{targets} in its status (last: {Session.Describe(serial, 5)})\n{AgentOutput()}", timeout ?? TimeSpan.FromSeconds(120));

    public async Task<(int Status, JsonNode? Body)> PostAsync(string path, object body)
    {
        using var client = Hub.Admin();
        var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public Task<JsonNode> GetAsync(string path) => Hub.GetJsonAsync(path);

    public string AgentOutput(int tail = 60) => string.Join("\n=====\n", _agents.Select(a =>
        $"{Path.GetFileName(a.Root)}:\n" + string.Join('\n', a.Output.Split('\n').TakeLast(tail))));

    private static void ExtractPayload(string bundle, string dir)
    {
        using var zip = ZipFile.OpenRead(bundle);
        using var payload = new MemoryStream(Read(zip, "payload"));
        var result = PayloadExtractor.Extract(payload, dir);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"cannot unpack {bundle}: {result}");
        }
    }

    private static byte[] Read(ZipArchive zip, string entry)
    {
        using var s = zip.GetEntry(entry)?.Open() ?? throw new InvalidOperationException($"the bundle has no {entry}");
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var a in _agents)
        {
            await a.DisposeAsync();
        }

        if (Session is not null)
        {
            await Session.DisposeAsync();
        }

        var data = Hub.DataDir;
        await Hub.DisposeAsync();
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

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
