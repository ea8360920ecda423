using System.Security.Cryptography.X509Certificates;
using Fleet.Hub.Tests.Broker;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Pki;

public sealed class OfflinePkiTests
{
    [Fact]
    public async Task The_certs_script_makes_a_PKI_the_hub_starts_on_with_its_server_CA_apart_from_the_device_CA()
    {
        using var pki = new TempDir("fleet-pki");
        var script = await ProductProcess.RunAsync(Path.Combine(RepoPaths.Root, "certs", "make-pki.sh"), [pki.Path, "--host", "hub.example.com"]);
        Assert.True(script.ExitCode == 0, script.ToString());
        foreach (var key in new[] { "root-ca.key", "device-ca.key", "server-ca.key", "server.key" })
        {
            Assert.Equal(0b110_000_000, Posix.Mode(pki.Combine(key)));
        }

        using var data = new TempDir("fleet-hub-data");
        await using var hub = await RunningHub.StartAsync(data.Path, PkiArgs(pki), trustAnchorPath: pki.Combine("server-ca.crt"));

        // The hub generated nothing of its own: HTTPS (pinned to the server CA) answers with the script's certificate.
        Assert.False(File.Exists(Path.Combine(data.Path, "ca.key")));
        Assert.False(File.Exists(Path.Combine(data.Path, "hub-ca.key")));
        Assert.False(File.Exists(Path.Combine(data.Path, "server.key")));
        var product = await HubApi.CreateProductAsync(hub);
        var device = await DeviceIdentity.ProvisionAsync(hub, Unique.Name("tank"), product);

        using var deviceCa = X509CertificateLoader.LoadCertificateFromFile(pki.Combine("device-ca.crt"));
        using var serverCa = X509CertificateLoader.LoadCertificateFromFile(pki.Combine("server-ca.crt"));
        using var root = X509CertificateLoader.LoadCertificateFromFile(pki.Combine("root-ca.crt"));
        Assert.Equal(deviceCa.Subject, device.Certificate.Issuer);
        Assert.Equal(Fleet.Protocol.Tls.HubAnchors.Fingerprint([serverCa]), (await HubApi.GetAsync(hub, "/api/v1/hub/tls")).GetProperty("hubAnchorFingerprint").GetString());
        var handedOut = (await HubApi.GetAsync(hub, $"/api/v1/devices/{device.Serial}")).GetProperty("certificateFingerprint").GetString();
        Assert.Equal(device.Certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256).ToLowerInvariant(), handedOut);

        using var client = await MqttDevice.ConnectAsync(hub, device);
        Assert.True(client.IsConnected);

        // A device certificate chains to the root, never to the server CA the clients pin.
        using var server = X509CertificateLoader.LoadCertificateFromFile(pki.Combine("server.crt"));
        Assert.Equal(Fleet.Protocol.Tls.HubCertificateVerdict.Trusted, Fleet.Protocol.Tls.HubCertificatePolicy.Check(server, [], "hub.example.com", [serverCa]));
        Assert.False(Fleet.Protocol.Tls.HubAnchors.Chains(device.Certificate, [serverCa], [], null));
        Assert.Equal(Fleet.Protocol.Tls.HubCertificateVerdict.UntrustedChain, Fleet.Protocol.Tls.HubCertificatePolicy.Check(server, [], "hub.example.com", [root]));

        // The server certificate cannot pass as a device.
        using var serverAsDevice = X509Certificate2.CreateFromPemFile(pki.Combine("server.crt"), pki.Combine("server.key"));
        var (refused, outcome) = await MqttDevice.TryConnectAsync(hub, "localhost", DeviceIdentity.WithKey(serverAsDevice.ExportCertificatePem(), serverAsDevice.GetECDsaPrivateKey()!));
        using (refused)
        {
            Assert.StartsWith("refused", outcome);
        }
    }

    [Fact]
    public async Task A_PKI_from_before_the_server_CA_is_upgraded_and_its_tanks_move_from_the_root_to_the_server_CA_over_the_air()
    {
        // The earlier layout: the root signed the device CA and the server certificate; tanks pinned the root.
        using var pki = new TempDir("fleet-pki");
        var made = await ProductProcess.RunAsync(Path.Combine(RepoPaths.Root, "certs", "make-pki.sh"), [pki.Path]);
        Assert.True(made.ExitCode == 0, made.ToString());
        foreach (var f in new[] { "server-ca.crt", "server-ca.key", "server-ca-endorsement.crt", "server.crt", "server.key" })
        {
            File.Delete(pki.Combine(f));
        }

        using var rootWithKey = X509Certificate2.CreateFromPemFile(pki.Combine("root-ca.crt"), pki.Combine("root-ca.key"));
        var legacy = TestPki.Leaf(rootWithKey, "localhost", TestPki.ServerAuth, "localhost", "127.0.0.1");
        File.WriteAllText(pki.Combine("server.crt"), legacy.ExportCertificatePem() + "\n");
        File.WriteAllText(pki.Combine("server.key"), legacy.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n");
        File.SetUnixFileMode(pki.Combine("server.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var upgraded = await ProductProcess.RunAsync(Path.Combine(RepoPaths.Root, "certs", "make-pki.sh"), ["--add-server-ca", pki.Path]);
        Assert.True(upgraded.ExitCode == 0, upgraded.ToString());
        Assert.Equal(legacy.Thumbprint, X509CertificateLoader.LoadCertificateFromFile(pki.Combine("server-legacy.crt")).Thumbprint);
        var again = await ProductProcess.RunAsync(Path.Combine(RepoPaths.Root, "certs", "make-pki.sh"), ["--add-server-ca", pki.Path]);
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("has a server CA", again.StandardError);

        using var data = new TempDir("fleet-hub-data");
        var hub = await RunningHub.StartAsync(data.Path, [.. PkiArgs(pki), "--tls-identity", "legacy"], trustAnchorPath: pki.Combine("root-ca.crt"));
        try
        {
            var product = await HubApi.CreateProductAsync(hub);
            using var tank = new TempDir("fleet-agent");
            var serial = Unique.Name("tank");
            var provisioning = tank.Combine("provisioning");
            await Integration.AgentFolder.ProvisionAsync(hub, serial, product, provisioning);
            Assert.Equal(rootWithKey.Thumbprint, Fleet.Protocol.Tls.HubAnchors.Load(Path.Combine(provisioning, "ca.crt"))[0].Thumbprint);

            await using var agent = ProductProcess.Start(RepoPaths.DeviceDll, ["--root", tank.Path, "--simulate"]);
            using var serverCa = X509CertificateLoader.LoadCertificateFromFile(pki.Combine("server-ca.crt"));
            // ca.crt.previous is written before ca.crt is replaced (a power cut must leave a pin that works), so wait
            // for both rather than read ca.crt the moment the first appears.
            await Eventually.Until(() => Task.FromResult(File.Exists(Path.Combine(provisioning, "ca.crt.previous"))
                    && Fleet.Protocol.Tls.HubAnchors.Load(Path.Combine(provisioning, "ca.crt"))[0].Thumbprint == serverCa.Thumbprint),
                "the agent to pin the server CA it was handed", TimeSpan.FromSeconds(120));
            await Eventually.Until(async () => (await HubApi.GetAsync(hub, "/api/v1/hub/tls")).GetProperty("devicesOnOldAnchor").GetInt32() == 0,
                "the hub to record the tank's new anchor", TimeSpan.FromSeconds(60));

            hub = await hub.RestartOnSamePortsAsync(PkiArgs(pki), pki.Combine("server-ca.crt"));
            Assert.Equal("separate", (await HubApi.GetAsync(hub, "/api/v1/hub/tls")).GetProperty("presented").GetString());
            await Eventually.Until(() => Task.FromResult(!File.Exists(Path.Combine(provisioning, "ca.crt.previous"))),
                "the agent to connect under the server CA and forget the root", TimeSpan.FromSeconds(120));
        }
        finally
        {
            await hub.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_hub_refuses_to_start_on_a_server_CA_that_may_have_CAs_below_it()
    {
        using var pki = new TempDir("fleet-pki");
        var made = await ProductProcess.RunAsync(Path.Combine(RepoPaths.Root, "certs", "make-pki.sh"), [pki.Path]);
        Assert.True(made.ExitCode == 0, made.ToString());
        var loose = TestPki.Ca("Loose server CA", limitPath: false);
        var server = TestPki.Leaf(loose, "localhost", TestPki.ServerAuth, "localhost", "127.0.0.1");
        File.WriteAllText(pki.Combine("server-ca.crt"), loose.ExportCertificatePem() + "\n");
        File.WriteAllText(pki.Combine("server.crt"), server.ExportCertificatePem() + "\n");
        File.WriteAllText(pki.Combine("server.key"), server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n");
        File.Delete(pki.Combine("server-ca-endorsement.crt"));

        using var data = new TempDir("fleet-hub-data");
        var result = await ProductProcess.RunAsync(RepoPaths.HubDll,
            ["--data-dir", data.Path, "--http-port", FreePort.Next().ToString(), "--mqtt-port", FreePort.Next().ToString(), .. PkiArgs(pki)],
            timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no pathLenConstraint 0", result.StandardError);
    }

    private static string[] PkiArgs(TempDir pki) =>
    [
        "--ca-cert", pki.Combine("device-ca.crt"), "--ca-key", pki.Combine("device-ca.key"), "--root-cert", pki.Combine("root-ca.crt"),
        "--server-cert", pki.Combine("server.crt"), "--server-key", pki.Combine("server.key"), "--server-ca-cert", pki.Combine("server-ca.crt"),
    ];

    [Fact]
    public async Task The_hub_refuses_to_start_on_a_device_CA_the_given_root_did_not_sign()
    {
        using var first = new TempDir("fleet-pki");
        using var second = new TempDir("fleet-pki");
        foreach (var dir in new[] { first.Path, second.Path })
        {
            var made = await ProductProcess.RunAsync(Path.Combine(RepoPaths.Root, "certs", "make-pki.sh"), [dir]);
            Assert.Equal(0, made.ExitCode);
        }

        using var data = new TempDir("fleet-hub-data");
        var result = await ProductProcess.RunAsync(RepoPaths.HubDll,
        [
            "--data-dir", data.Path, "--http-port", FreePort.Next().ToString(), "--mqtt-port", FreePort.Next().ToString(),
            "--ca-cert", first.Combine("device-ca.crt"), "--ca-key", first.Combine("device-ca.key"), "--root-cert", second.Combine("root-ca.crt"),
        ], timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("did not sign the device CA", result.StandardError);
    }
}
