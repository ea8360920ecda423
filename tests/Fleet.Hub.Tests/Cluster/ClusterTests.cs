using System.Globalization;
using System.Text.RegularExpressions;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace Fleet.Hub.Tests.Cluster;

/// <summary>Several hub nodes behind Mosquitto on PostgreSQL (docs/scale-out.md).</summary>
public sealed partial class ClusterTests(HubCluster cluster) : IClassFixture<HubCluster>
{
    private const int Devices = 10;
    private const int BatchesPerDevice = 5;
    private const int ReadingsPerBatch = 4;

    [Fact]
    public async Task Ten_devices_telemetry_through_shared_subscriptions_is_stored_exactly_once_across_both_nodes()
    {
        var a = cluster.Nodes[0];
        var product = await HubApi.CreateProductAsync(a);
        var devices = await Task.WhenAll(Enumerable.Range(0, Devices).Select(i => DeviceIdentity.ProvisionAsync(a, $"{product}-{i}", product)));
        var before = await HandledBatchesAsync();
        var published = 0;
        await Task.WhenAll(devices.Select(async device =>
        {
            var (client, outcome) = await BrokerDevice.TryConnectAsync(cluster, device);
            using var _ = client;
            Assert.Equal("Success", outcome);
            for (var seq = 1; seq <= BatchesPerDevice; seq++)
            {
                var readings = Enumerable.Range(0, ReadingsPerBatch)
                    .Select(r => new Reading(SensorNames.WaterTemperature, 20 + r, "C", DateTimeOffset.UtcNow)).ToList();
                var payload = FleetJson.Serialize(new TelemetryBatch(seq, readings));
                await PublishAsync(client, Topics.Telemetry(device.Serial), payload);
                Interlocked.Increment(ref published);
                if (seq == 3)
                {
                    // QoS 1 may deliver a batch twice, and the copy may land on the other node.
                    await PublishAsync(client, Topics.Telemetry(device.Serial), payload);
                    Interlocked.Increment(ref published);
                }
            }

            await client.DisconnectAsync();
        }));

        // A node whose broker session was resumed under load may be handed an unacknowledged batch again, so the
        // handled count can exceed what was published; exactly-once is judged on the stored rows below.
        await Eventually.Until(async () => (await HandledBatchesAsync()).Sum() - before.Sum() >= published, $"both nodes together to handle all {published} batches");
        var handled = (await HandledBatchesAsync()).Zip(before, (now, was) => now - was).ToList();
        Assert.All(handled, n => Assert.True(n > 0, $"each node should take a share of the batches; handled per node: {string.Join(", ", handled)}"));

        var rowsQuery = $"""
            SELECT count(*) FROM "Telemetry" t JOIN "Devices" d ON d."Id" = t."DeviceId" WHERE d."Serial" LIKE '{product}-%'
            """;
        await Eventually.Until(async () => await cluster.ScalarAsync(rowsQuery) >= Devices * BatchesPerDevice * ReadingsPerBatch, "every reading stored");
        Assert.Equal(Devices * BatchesPerDevice * ReadingsPerBatch, await cluster.ScalarAsync(rowsQuery));
    }

    [Fact]
    public async Task A_health_summary_through_Mosquitto_is_stored_once_across_both_nodes()
    {
        var a = cluster.Nodes[0];
        var product = await HubApi.CreateProductAsync(a);
        var device = await DeviceIdentity.ProvisionAsync(a, $"{product}-h", product);
        var (client, outcome) = await BrokerDevice.TryConnectAsync(cluster, device);
        using var _ = client;
        Assert.Equal("Success", outcome);

        await PublishAsync(client, Topics.Health(device.Serial), FleetJson.Serialize(new HealthSummary(DateTimeOffset.UtcNow, null, 600,
            [new SensorHealth(SensorNames.WaterTemperature, HealthStates.Ok)], "growing", 0, 0, new ControlQuality(0.5, 1, 0.2, 3), 1, 0, 1_000_000)));

        var rows = $"""
            SELECT count(*) FROM "HealthSummaries" h JOIN "Devices" d ON d."Id" = h."DeviceId" WHERE d."Serial" = '{device.Serial}'
            """;
        await Eventually.Until(async () => await cluster.ScalarAsync(rows) >= 1, "the summary stored");
        var served = await HubApi.GetAsync(cluster.Nodes[1], $"/api/v1/devices/{device.Serial}/health");
        Assert.Equal(0.5, served[0].GetProperty("summary").GetProperty("control").GetProperty("waterTemperatureError").GetDouble());
        Assert.Equal(1, await cluster.ScalarAsync(rows));
    }

    [Fact]
    public async Task A_revoked_device_is_refused_by_Mosquitto_once_the_hub_has_rewritten_the_crl()
    {
        var a = cluster.Nodes[0];
        var b = cluster.Nodes[1];
        var product = await HubApi.CreateProductAsync(a);
        var device = await DeviceIdentity.ProvisionAsync(a, $"{product}-gone", product);
        var keeper = await DeviceIdentity.ProvisionAsync(a, $"{product}-kept", product);

        var (first, outcome) = await BrokerDevice.TryConnectAsync(cluster, device);
        Assert.Equal("Success", outcome);
        await first.DisconnectAsync();
        first.Dispose();

        // Revoked through the other node: whichever node revokes rewrites the shared crl.pem and signals the broker.
        var (status, body) = await HubApi.PostAsync(b, $"/api/v1/devices/{device.Serial}/revoke", null);
        Assert.True(status == 200, body.ToString());

        string last = "";
        await Eventually.Until(async () =>
        {
            var (client, result) = await BrokerDevice.TryConnectAsync(cluster, device);
            client.Dispose();
            last = result;
            return result.StartsWith("refused", StringComparison.Ordinal);
        }, "Mosquitto to refuse the revoked device's certificate");
        Assert.Contains("refused", last);

        var (other, otherOutcome) = await BrokerDevice.TryConnectAsync(cluster, keeper);
        using (other)
        {
            Assert.Equal("Success", otherOutcome);
        }
    }

    [Fact]
    public async Task Every_node_reports_the_devices_online_at_the_broker_as_connected()
    {
        var a = cluster.Nodes[0];
        var product = await HubApi.CreateProductAsync(a);
        var devices = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => DeviceIdentity.ProvisionAsync(a, $"{product}-on-{i}", product)));
        var before = await ConnectedGaugesAsync();

        var clients = new List<IMqttClient>();
        foreach (var device in devices)
        {
            var (client, outcome) = await BrokerDevice.TryConnectAsync(cluster, device);
            clients.Add(client);
            Assert.Equal("Success", outcome);
            await PublishAsync(client, Topics.Status(device.Serial),
                FleetJson.Serialize(new StatusMessage(true, null, "a", "growing", 1, DateTimeOffset.UtcNow)));
        }

        await Eventually.Until(async () => (await ConnectedGaugesAsync()).Zip(before).All(p => p.First == p.Second + 3),
            "both nodes to count the three devices that said they are online");

        foreach (var (client, device) in clients.Zip(devices))
        {
            await PublishAsync(client, Topics.Status(device.Serial), FleetJson.Serialize(StatusMessage.Offline(DateTimeOffset.UtcNow)));
            await client.DisconnectAsync();
            client.Dispose();
        }

        await Eventually.Until(async () => (await ConnectedGaugesAsync()).SequenceEqual(before), "both nodes to count them out again");
    }

    private async Task<List<long>> ConnectedGaugesAsync()
    {
        var gauges = new List<long>();
        foreach (var node in cluster.Nodes)
        {
            using var client = node.Admin();
            var match = ConnectedMetric().Match(await client.GetStringAsync("/metrics"));
            gauges.Add(match.Success ? (long)double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1);
        }

        return gauges;
    }

    [GeneratedRegex(@"(?m)^fleet_devices_connected ([0-9.e+]+)")]
    private static partial Regex ConnectedMetric();

    private static async Task PublishAsync(IMqttClient client, string topic, byte[] payload)
    {
        var result = await client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.True(result.IsSuccess, $"publish to {topic}: {result.ReasonCode} {result.ReasonString}");
    }

    private async Task<List<long>> HandledBatchesAsync()
    {
        var counts = new List<long>();
        foreach (var node in cluster.Nodes)
        {
            using var client = node.Admin();
            var metrics = await client.GetStringAsync("/metrics");
            var match = HandledMetric().Match(metrics);
            counts.Add(match.Success ? (long)double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0);
        }

        return counts;
    }

    [GeneratedRegex(@"(?m)^fleet_telemetry_batches_handled_total ([0-9.e+]+)")]
    private static partial Regex HandledMetric();
}
