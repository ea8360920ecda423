using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace Fleet.Hub.Tests.Cluster;

/// <summary>In external mode the broker holds the connections and the hub believes statuses. A device whose last
/// status says online but that has said nothing for <c>--broker-presence-timeout-seconds</c> is marked offline, so a
/// status handed out late (after a node's restart) cannot show a device online for ever.</summary>
public sealed class PresenceTimeoutTests(PresenceTimeoutCluster cluster) : IClassFixture<PresenceTimeoutCluster>
{
    [Fact]
    public async Task A_device_silent_past_the_presence_timeout_is_marked_offline_whatever_its_last_status_said()
    {
        var product = await HubApi.CreateProductAsync(cluster.Nodes[0]);
        var device = await DeviceIdentity.ProvisionAsync(cluster.Nodes[0], $"{product}-silent", product);
        var (client, outcome) = await BrokerDevice.TryConnectAsync(cluster, device);
        using (client)
        {
            Assert.Equal("Success", outcome);
            var published = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Status(device.Serial))
                .WithPayload(FleetJson.Serialize(new StatusMessage(true, null, "a", "growing", 1, DateTimeOffset.UtcNow)))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            Assert.True(published.IsSuccess);
            await Eventually.Until(async () => await OnlineAsync(device.Serial), $"{device.Serial} to show online");

            // A clean disconnect discards the last will: nothing tells the hub the device is gone but its silence.
            await client.DisconnectAsync();
        }

        await Eventually.Until(async () => !await OnlineAsync(device.Serial), $"{device.Serial} to be marked offline after 10 s of silence", TimeSpan.FromSeconds(60));
        // The device page's connection history shows it.
        await Eventually.Until(async () => await cluster.ScalarAsync($"""
            SELECT count(*) FROM "DeviceEvents" e JOIN "Devices" d ON d."Id" = e."DeviceId" WHERE d."Serial" = '{device.Serial}' AND e."Kind" = 'connection' AND e."Name" = 'disconnected'
            """) == 1, "the disconnect in the connection history");
    }

    private async Task<bool> OnlineAsync(string serial) =>
        (await HubApi.GetAsync(cluster.Nodes[0], $"/api/v1/devices/{serial}")).GetProperty("online").GetBoolean();
}

/// <summary>A cluster whose node A marks devices offline after 10 s of silence.</summary>
public sealed class PresenceTimeoutCluster() : HubCluster(["--broker-presence-timeout-seconds", "10"]);
