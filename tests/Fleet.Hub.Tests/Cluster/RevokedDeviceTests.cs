using System.Buffers;
using Fleet.Hub.Tests.Firmware;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Signing;
using Fleet.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace Fleet.Hub.Tests.Cluster;

/// <summary>With an external broker a revoked device may stay connected (Mosquitto keeps established sessions when
/// it reloads its CRL), so the hub itself must ignore it: nothing it reports is stored, no chunk is served to it,
/// and its command replies do not count.</summary>
public sealed class RevokedDeviceTests(HubCluster cluster) : IClassFixture<HubCluster>
{
    [Fact]
    public async Task A_revoked_device_still_connected_to_Mosquitto_gets_nothing_and_counts_for_nothing()
    {
        using var dir = new TempDir();
        var a = cluster.Nodes[0];
        var product = await HubApi.CreateProductAsync(a);
        var key = SigningKey.Generate();
        await TestBundles.RegisterKeyAsync(a, product, "release", key);
        var (_, firmware) = await TestBundles.UploadAsync(a, await TestBundles.CreateAsync(dir.Path, product, "1.0.0", key), product);
        var uuid = firmware.GetProperty("uuid").GetString()!;
        var revoked = await DeviceIdentity.ProvisionAsync(a, $"{product}-gone", product);
        var witness = await DeviceIdentity.ProvisionAsync(a, $"{product}-kept", product);

        var chunks = 0;
        var commands = new List<MqttApplicationMessage>();
        using var gone = await ConnectAsync(revoked, e =>
        {
            if (e.ApplicationMessage.Topic.Contains("/fw/chunk/", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref chunks);
            }
            else if (FleetJson.TryDeserialize<DeviceCommand>(e.ApplicationMessage.Payload.ToArray())?.Name == CommandNames.Update)
            {
                // Left unanswered: the attempt stays in flight, and with it the device's right to fetch the firmware.
            }
            else
            {
                lock (commands)
                {
                    commands.Add(e.ApplicationMessage);
                }
            }
        });
        using var kept = await ConnectAsync(witness, null);
        kept.ApplicationMessageReceivedAsync += e => Reply(kept, e.ApplicationMessage);
        await OnlineAsync(gone, revoked);
        await OnlineAsync(kept, witness);

        // Chunks are served while the device is in good standing and the firmware is offered to it.
        var (pushed, attempt) = await HubApi.PostAsync(a, $"/api/v1/devices/{revoked.Serial}/update", new { firmware = "1.0.0" });
        Assert.True(pushed == 202, attempt.ToString());
        await Publish(gone, Topics.FirmwareRequest(revoked.Serial), FleetJson.Serialize(new ChunkRequest(uuid, [0])));
        await Eventually.Until(() => Volatile.Read(ref chunks) == 1, "the first chunk to arrive");

        // A command waits for the revoked device's answer, which it sends only after the revocation.
        using var http = a.Admin();
        var pending = http.PostAsync($"/api/v1/devices/{revoked.Serial}/identify", null);
        await Eventually.Until(() => { lock (commands) { return commands.Count == 1; } }, "the identify command to arrive");
        var (status, body) = await HubApi.PostAsync(a, $"/api/v1/devices/{revoked.Serial}/revoke", null);
        Assert.True(status == 200, body.ToString());
        Assert.True(gone.IsConnected, "Mosquitto dropped the revoked session itself; this test needs it kept");

        MqttApplicationMessage question;
        lock (commands)
        {
            question = commands[0];
        }

        await Reply(gone, question);
        await Publish(gone, Topics.Events(revoked.Serial), FleetJson.Serialize(new DeviceEvent(EventKinds.Tank, "growing", DateTimeOffset.UtcNow, "after revocation")));
        await Publish(gone, Topics.FirmwareRequest(revoked.Serial), FleetJson.Serialize(new ChunkRequest(uuid, [0, 1])));

        // Barrier: each node handles broker messages one at a time, in order, so once both nodes have had the
        // witness's answers, both have handled everything the revoked device sent before them.
        foreach (var node in cluster.Nodes)
        {
            var (answered, reply) = await HubApi.PostAsync(node, $"/api/v1/devices/{witness.Serial}/identify", null);
            Assert.True(answered == 200, reply.ToString());
        }

        var identify = await pending;
        Assert.Equal(503, (int)identify.StatusCode);
        Assert.Contains("no_response", await identify.Content.ReadAsStringAsync());
        var events = await HubApi.GetAsync(a, $"/api/v1/devices/{revoked.Serial}/events");
        Assert.DoesNotContain(events.EnumerateArray(), e => e.GetProperty("detail").GetString() == "after revocation");
        Assert.Equal(1, Volatile.Read(ref chunks));
    }

    private async Task<IMqttClient> ConnectAsync(DeviceIdentity device, Action<MqttApplicationMessageReceivedEventArgs>? onMessage)
    {
        var (client, outcome) = await BrokerDevice.TryConnectAsync(cluster, device);
        Assert.Equal("Success", outcome);
        if (onMessage is not null)
        {
            client.ApplicationMessageReceivedAsync += e =>
            {
                onMessage(e);
                return Task.CompletedTask;
            };
        }

        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(Topics.Command(device.Serial), MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter($"{Topics.Root}{device.Serial}/fw/chunk/#").Build());
        return client;
    }

    private async Task OnlineAsync(IMqttClient client, DeviceIdentity device)
    {
        await Publish(client, Topics.Status(device.Serial), FleetJson.Serialize(new StatusMessage(true, null, "a", "growing", 1, DateTimeOffset.UtcNow)), retain: true);
        await Eventually.Until(async () => (await HubApi.GetAsync(cluster.Nodes[0], $"/api/v1/devices/{device.Serial}")).GetProperty("online").GetBoolean(), $"{device.Serial} to show online");
    }

    private static Task Reply(IMqttClient client, MqttApplicationMessage question) =>
        client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(question.ResponseTopic).WithCorrelationData(question.CorrelationData)
            .WithPayload(FleetJson.Serialize(new CommandResponse(true, Detail: "done"))).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

    private static async Task Publish(IMqttClient client, string topic, byte[] payload, bool retain = false)
    {
        var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.True(result.IsSuccess, $"publish to {topic}: {result.ReasonCode}");
    }
}
