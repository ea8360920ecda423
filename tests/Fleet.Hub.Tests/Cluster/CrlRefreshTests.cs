using System.Globalization;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Cluster;

/// <summary>Mosquitto refuses every client once its CRL is past nextUpdate, so the hub rewrites it when half of its
/// lifetime has passed (here shortened to 20 s; 7 days by default), and tanks keep connecting.</summary>
public sealed class CrlRefreshTests() : IAsyncLifetime
{
    private readonly HubCluster _cluster = new(new Dictionary<string, string?> { ["FLEET_Hub__CrlLifetimeSeconds"] = "20" });

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task The_crl_is_rewritten_before_its_next_update_and_devices_keep_connecting()
    {
        var crl = Path.Combine(_cluster.BrokerDir, "crl.pem");
        var first = await NextUpdateAsync(crl);
        Assert.True(first > DateTimeOffset.UtcNow, $"nextUpdate {first:O} is in the past");
        Assert.True(first <= DateTimeOffset.UtcNow.AddSeconds(21), $"nextUpdate {first:O} is not the configured 20 s away");

        DateTimeOffset later = first;
        await Eventually.Until(async () => (later = await NextUpdateAsync(crl)) > first, "the hub to rewrite the CRL", TimeSpan.FromSeconds(60));
        // Rewritten while the first one was still valid.
        Assert.True(later - first < TimeSpan.FromSeconds(20), $"rewritten only at {later:O} after {first:O}");

        var product = await HubApi.CreateProductAsync(_cluster.Nodes[0]);
        var device = await DeviceIdentity.ProvisionAsync(_cluster.Nodes[0], $"{product}-crl", product);
        // Past the first CRL's nextUpdate, the broker still admits a good device.
        await Eventually.Until(() => DateTimeOffset.UtcNow > first.AddSeconds(2), "the first CRL's nextUpdate to pass", TimeSpan.FromSeconds(40));
        var (client, outcome) = await BrokerDevice.TryConnectAsync(_cluster, device);
        using (client)
        {
            Assert.Equal("Success", outcome);
        }
    }

    private static async Task<DateTimeOffset> NextUpdateAsync(string crl)
    {
        var result = await ProductProcess.RunAsync("openssl", ["crl", "-in", crl, "-noout", "-nextupdate"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        var text = result.StandardOutput.Trim().Split('=', 2)[1].Replace(" GMT", string.Empty, StringComparison.Ordinal);
        return DateTimeOffset.ParseExact(System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " "), "MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }
}
