using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Fleet.Hub.Tests.Cluster;

/// <summary>The device limits with Mosquitto in front (docs/scale-out.md, "Limits"): its ACL refuses unknown kinds and
/// its max_packet_size the largest packets; the hub drops what Mosquitto cannot judge (a message over its kind's size,
/// retain on anything but status, a device over its rate), counts it, and clears a retained message it refused.</summary>
public sealed class MosquittoLimitsTests(HubCluster cluster) : IClassFixture<HubCluster>
{
    private static readonly MqttClientPublishReasonCode[] Accepted = [MqttClientPublishReasonCode.Success, MqttClientPublishReasonCode.NoMatchingSubscribers];

    [Fact]
    public async Task Junk_kinds_oversized_and_retained_messages_are_refused_and_nothing_junk_stays_retained()
    {
        var product = await HubApi.CreateProductAsync(cluster.Nodes[0]);
        var device = await DeviceIdentity.ProvisionAsync(cluster.Nodes[0], $"{product}-junk", product);
        var (client, outcome) = await BrokerDevice.TryConnectAsync(cluster, device);
        using (client)
        {
            Assert.Equal("Success", outcome);
            var before = await DroppedAsync();

            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await PublishAsync(client, Topics.DevicePrefix(device.Serial) + "junk/1", new byte[1024], retain: true));
            var ev = FleetJson.Serialize(new DeviceEvent(EventKinds.Tank, "growing", DateTimeOffset.UtcNow, Detail: "retained"));
            Assert.Contains(await PublishAsync(client, Topics.Events(device.Serial), ev, retain: true), Accepted);
            Assert.Contains(await PublishAsync(client, Topics.Events(device.Serial), new byte[DeviceTopicLimits.For(Topics.EventsKind)!.MaxBytes + 1], retain: false), Accepted);

            await Eventually.Until(async () => (await DroppedAsync()).GetValueOrDefault("retain_refused") > before.GetValueOrDefault("retain_refused")
                && (await DroppedAsync()).GetValueOrDefault("too_large") > before.GetValueOrDefault("too_large"), "the hub to drop the retained and the oversized event");
            var events = (await HubApi.GetAsync(cluster.Nodes[0], $"/api/v1/devices/{device.Serial}/events")).EnumerateArray();
            Assert.DoesNotContain(events, e => e.GetProperty("kind").GetString() == EventKinds.Tank);

            // The hub cleared the retained event from Mosquitto: a new subscriber gets nothing retained.
            await Eventually.Until(async () => !await RetainedAsync(Topics.Events(device.Serial)), "the retained event to be cleared from the broker");

            // A packet over Mosquitto's max_packet_size: the broker closes the connection.
            await Assert.ThrowsAnyAsync<Exception>(() => client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Telemetry(device.Serial))
                .WithPayload(new byte[5 * 1024 * 1024]).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()));
            await Eventually.Until(() => !client.IsConnected, "Mosquitto to close the connection");
        }
    }

    [Fact]
    public async Task A_device_over_its_event_rate_has_the_excess_dropped_and_counted()
    {
        var product = await HubApi.CreateProductAsync(cluster.Nodes[0]);
        var device = await DeviceIdentity.ProvisionAsync(cluster.Nodes[0], $"{product}-flood", product);
        var (client, outcome) = await BrokerDevice.TryConnectAsync(cluster, device);
        using (client)
        {
            Assert.Equal("Success", outcome);
            var limits = DeviceTopicLimits.For(Topics.EventsKind)!;
            var before = (await DroppedAsync()).GetValueOrDefault("rate_exceeded");
            var sent = limits.Burst * 6;
            var started = System.Diagnostics.Stopwatch.StartNew();
            for (var i = 0; i < sent; i++)
            {
                await PublishAsync(client, Topics.Events(device.Serial), FleetJson.Serialize(new DeviceEvent(EventKinds.Tank, "growing", DateTimeOffset.UtcNow, Detail: $"flood {i}")), retain: false);
            }

            // Every event is either stored or dropped as over the rate; each node admits at most a burst and what
            // refilled while it handled the flood.
            async Task<int> StoredAsync() => (await HubApi.GetAsync(cluster.Nodes[0], $"/api/v1/devices/{device.Serial}/events?limit=5000")).EnumerateArray()
                .Count(e => e.GetProperty("kind").GetString() == EventKinds.Tank);
            await Eventually.Until(async () => await StoredAsync() + (await DroppedAsync()).GetValueOrDefault("rate_exceeded") - before >= sent, "every event stored or counted as over the rate");
            var admittedAtMost = cluster.Nodes.Count * (limits.Burst + (int)Math.Ceiling(started.Elapsed.TotalSeconds * limits.PerSecond) + 1);
            var stored = await StoredAsync();
            Assert.Equal(sent, stored + (await DroppedAsync()).GetValueOrDefault("rate_exceeded") - before);
            Assert.InRange(stored, limits.Burst, admittedAtMost);
            Assert.True(stored < sent, "no event was dropped as over the rate");
            Assert.True(client.IsConnected);
        }
    }

    private static async Task<MqttClientPublishReasonCode> PublishAsync(IMqttClient client, string topic, byte[] payload, bool retain)
    {
        var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        return result.ReasonCode;
    }

    /// <summary>Whether Mosquitto hands a new subscriber a retained message on <paramref name="topic"/> (as the hub's
    /// user, which may read every device's topics).</summary>
    private async Task<bool> RetainedAsync(string topic)
    {
        var node = cluster.Nodes[0];
        using var certificate = X509Certificate2.CreateFromPemFile(Path.Combine(node.DataDir, "broker-client.crt"), Path.Combine(node.DataDir, "broker-client.key"));
        using var probe = new MqttClientFactory().CreateMqttClient();
        var received = 0;
        probe.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Retain && !e.ApplicationMessage.Payload.IsEmpty)
            {
                Interlocked.Increment(ref received);
            }

            return Task.CompletedTask;
        };
        await probe.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", cluster.BrokerPort).WithClientId("@fleet-hub/probe")
            .WithProtocolVersion(MqttProtocolVersion.V500).WithCleanStart(true)
            .WithTlsOptions(tls => tls.UseTls().WithTargetHost("localhost").WithTrustChain([node.CaCertificate])
                .WithRevocationMode(X509RevocationMode.NoCheck).WithClientCertificates([certificate])).Build());
        await probe.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await probe.PingAsync();
        await Task.Delay(200);
        await probe.DisconnectAsync();
        return received > 0;
    }

    private async Task<Dictionary<string, double>> DroppedAsync()
    {
        var totals = new Dictionary<string, double>();
        foreach (var node in cluster.Nodes)
        {
            using var admin = node.Admin();
            foreach (var line in (await admin.GetStringAsync("/metrics")).Split('\n').Where(l => l.StartsWith("fleet_mqtt_messages_dropped_total{reason=\"", StringComparison.Ordinal)))
            {
                var reason = line.Split('"')[1];
                totals[reason] = totals.GetValueOrDefault(reason) + double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
            }
        }

        return totals;
    }
}
