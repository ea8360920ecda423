using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Fleet.Cli.Hub;

/// <summary>Registers a device with the hub and writes its provisioning folder (device.crt, device.key, ca.crt,
/// hub.json, trusted-keys/): the work of <c>fleet device provision</c>, shared with <c>fleet device burn</c>.
/// The private key is generated here and never leaves this machine; only a CSR goes to the hub.</summary>
internal static class DeviceProvisioning
{
    public static async Task<ProvisionedDevice> ProvisionAsync(HubClient hub, string serial, string product, IReadOnlyList<string> tags, string dir, CancellationToken ct)
    {
        if (File.Exists(Path.Combine(dir, "device.key")) || File.Exists(Path.Combine(dir, "device.crt")))
        {
            throw new CliFailure($"{dir} holds a provisioned device already (device.key/device.crt); pick an empty --output directory");
        }

        Directory.CreateDirectory(dir);
        // The private key is written (0600) before the hub registers the device, so a registered device never
        // lacks its key.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pendingKey = Path.Combine(dir, $".device.key.{Guid.NewGuid():N}.tmp");
        WriteFile(pendingKey, key.ExportPkcs8PrivateKeyPem() + "\n", secret: true);
        JsonNode? provisioned;
        try
        {
            var csr = new CertificateRequest($"CN={serial}", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
            var body = new JsonObject { ["serial"] = serial, ["product"] = product, ["tags"] = HubOutput.Strings([.. tags]), ["csr"] = csr };
            provisioned = await hub.PostAsync("/api/v1/devices", body, $"provision device '{serial}'", ct);
        }
        catch
        {
            File.Delete(pendingKey);
            throw;
        }

        File.Move(pendingKey, Path.Combine(dir, "device.key"));
        WriteFile(Path.Combine(dir, "device.crt"), HubOutput.S(provisioned, "certificatePem"), secret: false);
        WriteFile(Path.Combine(dir, "ca.crt"), HubOutput.S(provisioned, "caCertificatePem"), secret: false);
        var mqttHost = HubOutput.S(provisioned, "mqttHost");
        var mqttPort = HubOutput.S(provisioned, "mqttPort");
        var hubJson = new JsonObject { ["host"] = mqttHost, ["port"] = int.Parse(mqttPort, System.Globalization.CultureInfo.InvariantCulture) };
        WriteFile(Path.Combine(dir, "hub.json"), HubClient.Pretty(hubJson) + "\n", secret: false);
        var trusted = Path.Combine(dir, "trusted-keys");
        Directory.CreateDirectory(trusted);
        var keys = HubOutput.Items(provisioned?["trustedKeys"]).ToList();
        foreach (var k in keys)
        {
            WriteFile(Path.Combine(trusted, HubOutput.S(k, "name") + ".pub"), HubOutput.S(k, "publicKeyPem"), secret: false);
        }

        return new ProvisionedDevice(mqttHost, mqttPort, keys.Count);
    }

    private static void WriteFile(string path, string content, bool secret)
    {
        var mode = secret ? UnixFileMode.UserRead | UnixFileMode.UserWrite
            : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        using var f = File.Open(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode });
        using var w = new StreamWriter(f);
        w.Write(content);
    }
}
