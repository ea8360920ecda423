using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Fleet.Protocol.Tls;
using Fleet.Hub.Tests.Integration;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Pki;

/// <summary>The hub's TLS identity apart from the devices': a fresh hub's server certificate comes from a hub CA that
/// issues no device certificate; an upgraded data dir keeps its tanks connecting and moves them to the hub CA over
/// their own connection, then presents the separate identity.</summary>
public sealed class HubTlsIdentityTests
{
    [Fact]
    public async Task A_fresh_hub_presents_a_certificate_from_its_own_CA_and_a_client_pinning_the_device_CA_refuses_it()
    {
        await using var hub = await RunningHub.StartAsync();
        using var hubCa = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(hub.DataDir, "hub-ca.crt"));
        using var deviceCa = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(hub.DataDir, "ca.crt"));
        Assert.NotEqual(hubCa.Thumbprint, deviceCa.Thumbprint);
        Assert.False(File.Exists(Path.Combine(hub.DataDir, "server-legacy.crt")));

        var presented = await PresentedAsync(hub.MqttPort);
        Assert.Equal(hubCa.Subject, presented.Issuer);
        Assert.Equal(HubCertificateVerdict.Trusted, HubCertificatePolicy.Check(presented, [], "127.0.0.1", [hubCa]));
        Assert.Equal(HubCertificateVerdict.UntrustedChain, HubCertificatePolicy.Check(presented, [], "127.0.0.1", [deviceCa]));
        Assert.Equal(HubCertificateVerdict.UntrustedChain, HubCertificatePolicy.Check(await PresentedAsync(hub.HttpPort), [], "127.0.0.1", [deviceCa]));

        // Devices are handed the hub CA; their own certificate comes from the device CA, which the hub CA is not.
        var product = await HubApi.CreateProductAsync(hub);
        var device = await DeviceIdentity.ProvisionAsync(hub, Unique.Name("tank"), product);
        Assert.Equal(deviceCa.Subject, device.Certificate.Issuer);
        Assert.False(HubAnchors.Chains(device.Certificate, [hubCa], [], null));
        var tls = await HubApi.GetAsync(hub, "/api/v1/hub/tls");
        Assert.Equal("separate", tls.GetProperty("presented").GetString());
        Assert.Equal(HubAnchors.Fingerprint([hubCa]), tls.GetProperty("hubAnchorFingerprint").GetString());
        Assert.Equal(0, tls.GetProperty("devicesOnOldAnchor").GetInt32());
    }

    [Fact]
    public async Task An_upgraded_data_dir_keeps_tanks_connecting_hands_them_the_hub_anchor_and_then_presents_its_own_identity()
    {
        using var data = new TempDir("fleet-hub-legacy");
        var (deviceCaPath, legacyServerThumbprint) = WriteEarlierReleaseLayout(data.Path);

        // Kept legacy on purpose while the tanks move (auto would also keep it once a tank is registered).
        var hub = await RunningHub.StartAsync(data.Path, ["--tls-identity", "legacy"], deviceCaPath);
        try
        {
            Assert.True(File.Exists(data.Combine("server-legacy.crt")));
            Assert.True(File.Exists(data.Combine("hub-ca-endorsement.crt")));
            Assert.Equal(legacyServerThumbprint, (await PresentedAsync(hub.MqttPort)).Thumbprint);
            using var deviceCa = X509CertificateLoader.LoadCertificateFromFile(deviceCaPath);
            using var hubCa = X509CertificateLoader.LoadCertificateFromFile(data.Combine("hub-ca.crt"));

            var product = await HubApi.CreateProductAsync(hub);
            using var tank = new TempDir("fleet-agent");
            var serial = Unique.Name("tank");
            var provisioning = tank.Combine("provisioning");
            var answer = await AgentFolder.ProvisionAsync(hub, serial, product, provisioning);
            // While legacy, a new tank is handed the anchor that verifies the hub now, and moves like the others.
            Assert.Equal(deviceCa.Thumbprint, X509Certificate2.CreateFromPem(answer.GetProperty("caCertificatePem").GetString()).Thumbprint);
            var idle = Unique.Name("tank");
            await AgentFolder.ProvisionAsync(hub, idle, product, tank.Combine("idle"));

            await using var agent = ProductProcess.Start(RepoPaths.DeviceDll, ["--root", tank.Path, "--simulate"]);
            // ca.crt.previous is written before ca.crt is replaced: wait for both.
            await Eventually.Until(() => Task.FromResult(File.Exists(Path.Combine(provisioning, "ca.crt.previous"))
                    && HubAnchors.Fingerprint(HubAnchors.Load(Path.Combine(provisioning, "ca.crt"))) == HubAnchors.Fingerprint([hubCa])),
                "the agent to pin the hub anchor it was handed", TimeSpan.FromSeconds(120));
            Assert.Equal(deviceCa.Thumbprint, HubAnchors.Load(Path.Combine(provisioning, "ca.crt.previous"))[0].Thumbprint);
            try
            {
                await Eventually.Until(async () => (await HubApi.GetAsync(hub, "/api/v1/hub/tls")).GetProperty("devicesOnOldAnchor").GetInt32() == 1,
                    "the hub to record the tank's new anchor", TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException($"{ex.Message}\nhub: {(await HubApi.GetAsync(hub, "/api/v1/hub/tls"))}\nagent:\n{agent.StandardOutput}\nhub log:\n{hub.Process.StandardOutput}", ex);
            }
            var tls = await HubApi.GetAsync(hub, "/api/v1/hub/tls");
            Assert.Equal("legacy", tls.GetProperty("presented").GetString());
            Assert.Equal(idle, tls.GetProperty("firstOnOldAnchor")[0].GetString());

            // Still one tank (never connected) on the old anchor: auto keeps the legacy certificate.
            hub = await hub.RestartOnSamePortsAsync();
            Assert.Equal(legacyServerThumbprint, (await PresentedAsync(hub.MqttPort)).Thumbprint);
            var (revoked, _) = await HubApi.PostAsync(hub, $"/api/v1/devices/{idle}/revoke", null);
            Assert.Equal(200, revoked);

            // None left: the next start presents the hub CA's certificate; the tank reconnects under its new anchor
            // and forgets the old one. A client that still pins the device CA is refused.
            hub = await hub.RestartOnSamePortsAsync(trustAnchorPath: data.Combine("hub-ca.crt"));
            var presented = await PresentedAsync(hub.MqttPort);
            Assert.Equal(hubCa.Subject, presented.Issuer);
            Assert.Equal(HubCertificateVerdict.UntrustedChain, HubCertificatePolicy.Check(presented, [], "127.0.0.1", [deviceCa]));
            Assert.Equal("separate", (await HubApi.GetAsync(hub, "/api/v1/hub/tls")).GetProperty("presented").GetString());
            await Eventually.Until(() => Task.FromResult(!File.Exists(Path.Combine(provisioning, "ca.crt.previous"))),
                "the agent to connect under the hub anchor and forget the device CA", TimeSpan.FromSeconds(120));
            await Eventually.Until(async () => (await HubApi.GetAsync(hub, $"/api/v1/devices/{serial}")).GetProperty("online").GetBoolean(),
                "the tank to be online under the separate identity", TimeSpan.FromSeconds(60));
        }
        finally
        {
            await hub.DisposeAsync();
        }
    }

    /// <summary>The data dir an earlier release wrote: a device CA (pathlen 0) that also signed the server
    /// certificate (localhost, 127.0.0.1, serverAuth).</summary>
    private static (string DeviceCa, string ServerThumbprint) WriteEarlierReleaseLayout(string dir)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Fleet Device CA (earlier release)", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(20));
        Write(Path.Combine(dir, "ca.key"), caKey.ExportPkcs8PrivateKeyPem(), secret: true);
        Write(Path.Combine(dir, "ca.crt"), ca.ExportCertificatePem(), secret: false);
        var server = TestPki.Leaf(ca, "localhost", TestPki.ServerAuth, "localhost", "127.0.0.1");
        Write(Path.Combine(dir, "server.key"), server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem(), secret: true);
        Write(Path.Combine(dir, "server.crt"), server.ExportCertificatePem(), secret: false);
        return (Path.Combine(dir, "ca.crt"), server.Thumbprint);
    }

    private static void Write(string path, string text, bool secret)
    {
        using var f = File.Open(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = secret ? UnixFileMode.UserRead | UnixFileMode.UserWrite : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        });
        using var w = new StreamWriter(f);
        w.Write(text + "\n");
    }

    /// <summary>The certificate the hub presents on a port, read in a TLS handshake that accepts anything.</summary>
    private static async Task<X509Certificate2> PresentedAsync(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        X509Certificate2? seen = null;
        await using var ssl = new SslStream(tcp.GetStream(), false, (_, cert, _, _) =>
        {
            seen = cert is null ? null : X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
            return true;
        });
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "127.0.0.1" });
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
        {
            // The MQTT port asks for a client certificate; the server's own was seen before that.
        }

        return seen ?? throw new InvalidOperationException($"port {port} presented no certificate");
    }
}
