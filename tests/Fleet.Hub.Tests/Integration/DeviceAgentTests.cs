using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Integration;

/// <summary>The real device agent (simulated tank) against the real hub, with a provisioning folder made the way
/// <c>fleet device provision</c> makes it.</summary>
public sealed class DeviceAgentTests
{
    [Fact]
    public async Task A_simulated_agent_connects_reports_answers_a_command_and_is_cut_off_by_revocation()
    {
        await using var hub = await RunningHub.StartAsync();
        using var root = new TempDir("fleet-agent");
        var product = await HubApi.CreateProductAsync(hub);
        var serial = Unique.Name("tank");
        await ProvisionAsync(hub, serial, product, root.Combine("provisioning"));

        await using var agent = ProductProcess.Start(RepoPaths.DeviceDll, ["--root", root.Path, "--simulate"]);

        await Eventually.Until(async () =>
        {
            var d = await HubApi.GetAsync(hub, $"/api/v1/devices/{serial}");
            return d.GetProperty("online").GetBoolean() && d.GetProperty("tankState").GetString() is { Length: > 0 };
        }, "the agent to report its status", TimeSpan.FromSeconds(120));
        await Eventually.Until(async () => (await HubApi.GetAsync(hub, $"/api/v1/devices/{serial}/telemetry")).GetArrayLength() > 0,
            "telemetry from the agent", TimeSpan.FromSeconds(120));
        await Eventually.Until(async () => (await HubApi.GetAsync(hub, $"/api/v1/devices/{serial}/events")).GetArrayLength() > 0,
            "a tank event from the agent", TimeSpan.FromSeconds(120));

        var (status, answer) = await HubApi.PostAsync(hub, $"/api/v1/devices/{serial}/identify", null);
        Assert.True(status == 200, answer.ToString());
        Assert.True(answer.GetProperty("ok").GetBoolean());

        var (revoked, _) = await HubApi.PostAsync(hub, $"/api/v1/devices/{serial}/revoke", null);
        Assert.Equal(200, revoked);
        await agent.WaitForLineAsync(l => l.Contains("revoked", StringComparison.Ordinal), "the agent to be told it is revoked", TimeSpan.FromSeconds(60));
        Assert.False((await HubApi.GetAsync(hub, $"/api/v1/devices/{serial}")).GetProperty("online").GetBoolean());
    }

    /// <summary>device.key (0600) made here, only the CSR sent; device.crt, ca.crt and hub.json from the hub's answer.</summary>
    private static async Task ProvisionAsync(RunningHub hub, string serial, string product, string dir)
    {
        Directory.CreateDirectory(dir);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var client = hub.Admin();
        var response = await client.PostAsJsonAsync("/api/v1/devices", new { serial, product, csr = DeviceIdentity.NewCsr(key, serial) });
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        using (var f = File.Open(Path.Combine(dir, "device.key"), new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        using (var w = new StreamWriter(f))
        {
            await w.WriteAsync(key.ExportPkcs8PrivateKeyPem());
        }

        await File.WriteAllTextAsync(Path.Combine(dir, "device.crt"), body.GetProperty("certificatePem").GetString());
        await File.WriteAllTextAsync(Path.Combine(dir, "ca.crt"), body.GetProperty("caCertificatePem").GetString());
        await File.WriteAllTextAsync(Path.Combine(dir, "hub.json"),
            JsonSerializer.Serialize(new { host = body.GetProperty("mqttHost").GetString(), port = body.GetProperty("mqttPort").GetInt32() }));
    }
}
