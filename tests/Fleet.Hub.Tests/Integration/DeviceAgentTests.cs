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
        await AgentFolder.ProvisionAsync(hub, serial, product, root.Combine("provisioning"));

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
}
