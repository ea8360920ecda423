using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Integration;

/// <summary>A device agent's provisioning folder made the way <c>fleet device provision</c> makes it.</summary>
internal static class AgentFolder
{
    /// <summary>As <c>fleet device provision</c> does: key here, CSR to the hub, files from its answer.</summary>
    public static async Task<JsonElement> ProvisionAsync(RunningHub hub, string serial, string product, string dir)
    {
        Directory.CreateDirectory(dir);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var client = hub.Admin();
        var response = await client.PostAsJsonAsync("/api/v1/devices", new { serial, product, csr = DeviceIdentity.NewCsr(key, serial) });
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        using (var f = File.Open(Path.Combine(dir, "device.key"), new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        using (var w = new StreamWriter(f))
        {
            w.Write(key.ExportPkcs8PrivateKeyPem());
        }

        File.WriteAllText(Path.Combine(dir, "device.crt"), body.GetProperty("certificatePem").GetString());
        File.WriteAllText(Path.Combine(dir, "ca.crt"), body.GetProperty("caCertificatePem").GetString());
        File.WriteAllText(Path.Combine(dir, "hub.json"), JsonSerializer.Serialize(new { host = body.GetProperty("mqttHost").GetString(), port = body.GetProperty("mqttPort").GetInt32() }));
        return body;
    }
}
