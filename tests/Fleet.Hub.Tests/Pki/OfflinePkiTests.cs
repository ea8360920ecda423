using System.Security.Cryptography.X509Certificates;
using Fleet.Hub.Tests.Broker;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Pki;

public sealed class OfflinePkiTests
{
    [Fact]
    public async Task The_certs_script_makes_a_PKI_the_hub_starts_on_and_devices_chain_to_its_root()
    {
        using var pki = new TempDir("fleet-pki");
        var script = await ProductProcess.RunAsync(Path.Combine(RepoPaths.Root, "certs", "make-pki.sh"), [pki.Path, "--host", "hub.example.com"]);
        Assert.True(script.ExitCode == 0, script.ToString());
        foreach (var key in new[] { "root-ca.key", "device-ca.key", "server.key" })
        {
            Assert.Equal(0b110_000_000, Posix.Mode(pki.Combine(key)));
        }

        using var data = new TempDir("fleet-hub-data");
        await using var hub = await RunningHub.StartAsync(data.Path,
        [
            "--ca-cert", pki.Combine("device-ca.crt"), "--ca-key", pki.Combine("device-ca.key"), "--root-cert", pki.Combine("root-ca.crt"),
            "--server-cert", pki.Combine("server.crt"), "--server-key", pki.Combine("server.key"),
        ], trustAnchorPath: pki.Combine("root-ca.crt"));

        // The hub generated nothing of its own: HTTPS (pinned to the root) answers with the script's server certificate.
        Assert.False(File.Exists(Path.Combine(data.Path, "ca.key")));
        Assert.False(File.Exists(Path.Combine(data.Path, "server.key")));
        var product = await HubApi.CreateProductAsync(hub);
        var device = await DeviceIdentity.ProvisionAsync(hub, Unique.Name("tank"), product);

        using var deviceCa = X509CertificateLoader.LoadCertificateFromFile(pki.Combine("device-ca.crt"));
        Assert.Equal(deviceCa.Subject, device.Certificate.Issuer);
        var handedOut = (await HubApi.GetAsync(hub, $"/api/v1/devices/{device.Serial}")).GetProperty("certificateFingerprint").GetString();
        Assert.Equal(device.Certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256).ToLowerInvariant(), handedOut);

        using var client = await MqttDevice.ConnectAsync(hub, device);
        Assert.True(client.IsConnected);

        // The server certificate is signed by the root, not the device CA, so it cannot pass as a device.
        using var serverAsDevice = X509Certificate2.CreateFromPemFile(pki.Combine("server.crt"), pki.Combine("server.key"));
        var (refused, outcome) = await MqttDevice.TryConnectAsync(hub, "localhost", DeviceIdentity.WithKey(serverAsDevice.ExportCertificatePem(), serverAsDevice.GetECDsaPrivateKey()!));
        using (refused)
        {
            Assert.StartsWith("refused", outcome);
        }
    }

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
