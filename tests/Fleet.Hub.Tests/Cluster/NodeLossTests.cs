using System.Globalization;
using System.Text.RegularExpressions;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Testing;
using MQTTnet;
using MQTTnet.Protocol;
using Npgsql;
using Xunit.Abstractions;

namespace Fleet.Hub.Tests.Cluster;

/// <summary>A hub node killed with SIGKILL in the middle of a telemetry stream loses nothing (docs/scale-out.md,
/// "When a node dies"). Its own cluster: this test kills one of the two nodes.</summary>
public sealed partial class NodeLossTests(HubCluster cluster, ITestOutputHelper output) : IClassFixture<HubCluster>
{
    private const int Devices = 10;
    private const int BatchesPerDevice = 200;
    private const int ReadingsPerBatch = 3;
    private const int Batches = Devices * BatchesPerDevice;

    [Fact]
    public async Task Kill_9_of_a_node_mid_stream_and_its_restart_under_the_same_name_store_every_reading_exactly_once()
    {
        var product = await HubApi.CreateProductAsync(cluster.Nodes[0]);
        var devices = await Task.WhenAll(Enumerable.Range(0, Devices).Select(i => DeviceIdentity.ProvisionAsync(cluster.Nodes[0], $"{product}-{i:00}", product)));
        var victim = cluster.Nodes[0];
        var handledBefore = await Task.WhenAll(cluster.Nodes.Select(HandledBatchesAsync));
        var acknowledged = 0;
        var warmedUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Each device publishes its batches one after another at QoS 1 and, like the agent, sends a batch again until
        // the broker acknowledges it. Each reading's value is unique within its device: (sequence, index).
        var stream = Task.WhenAll(devices.Select(device => Task.Run(async () =>
        {
            var client = await ConnectAsync(device);
            try
            {
                for (var seq = 1; seq <= BatchesPerDevice; seq++)
                {
                    var readings = Enumerable.Range(0, ReadingsPerBatch)
                        .Select(r => new Reading(SensorNames.WaterTemperature, seq * 10 + r, "C", DateTimeOffset.UtcNow)).ToList();
                    client = await PublishUntilAcknowledgedAsync(client, device, Topics.Telemetry(device.Serial), FleetJson.Serialize(new TelemetryBatch(seq, readings)));
                    Interlocked.Increment(ref acknowledged);
                    if (seq == 1)
                    {
                        await warmedUp.Task;
                    }

                    await Task.Delay(5);
                }

                await client.DisconnectAsync();
            }
            finally
            {
                client.Dispose();
            }
        })));

        // The first batch of every device, shared between the nodes: both are storing before the stream starts.
        await Eventually.Until(async () => (await Task.WhenAll(cluster.Nodes.Select(HandledBatchesAsync))).Zip(handledBefore).All(p => p.First > p.Second),
            "both nodes to store some of the devices' first batches");
        warmedUp.SetResult();

        // Mid-stream: both nodes are busy with batches when one dies, its drain queue and its broker window full.
        await Eventually.Until(() => Volatile.Read(ref acknowledged) >= Batches / 4 || stream.IsCompleted, "a quarter of the batches to be acknowledged");
        Assert.False(stream.IsCompleted, "the stream ended before the kill; the test needs a node to die in the middle of it");
        var handledBeforeKill = await HandledBatchesAsync(victim) - handledBefore[0];
        victim.Process.Kill();
        output.WriteLine($"killed node a (pid {victim.Process.Pid}) after {Volatile.Read(ref acknowledged)} of {Batches} batches were acknowledged by Mosquitto; it had handled {handledBeforeKill}");

        // The devices go on publishing while the node is down: Mosquitto keeps dealing it its share.
        await Eventually.Until(() => Volatile.Read(ref acknowledged) >= Batches / 2 || stream.IsCompleted, "half of the batches to be acknowledged");
        var storedWhileDown = await StoredReadingsAsync(product);
        var restarted = await cluster.StartAgainAsync(0);
        var resumed = restarted.Process.Lines.Any(l => l.Contains("Joined broker", StringComparison.Ordinal) && l.Contains("session resumed", StringComparison.Ordinal));
        output.WriteLine($"node a is back (pid {restarted.Process.Pid}), session resumed: {resumed}; {storedWhileDown} of {Batches * ReadingsPerBatch} readings were stored before it returned");
        await stream;

        var expected = Batches * ReadingsPerBatch;
        try
        {
            await Eventually.Until(async () => await StoredReadingsAsync(product) >= expected, $"all {expected} readings stored", TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"readings lost with the killed node: {await StoredReadingsAsync(product)} of {expected} stored; missing (device, sequence): {await MissingAsync(product)}");
        }

        var handledByRestarted = await HandledBatchesAsync(restarted);
        output.WriteLine($"the restarted node handled {handledByRestarted} batches (what Mosquitto had kept in its session)");

        // Exactly once: every (device, sequence) has one receipt, every (device, value) one row, and nothing more.
        Assert.Equal(expected, await StoredReadingsAsync(product));
        Assert.Equal(expected, await cluster.ScalarAsync($"""
            SELECT count(DISTINCT (t."DeviceId", t."Value")) FROM "Telemetry" t JOIN "Devices" d ON d."Id" = t."DeviceId" WHERE d."Serial" LIKE '{product}-%'
            """));
        Assert.Equal(Batches, await cluster.ScalarAsync($"""
            SELECT count(*) FROM "TelemetryReceipts" r JOIN "Devices" d ON d."Id" = r."DeviceId" WHERE d."Serial" LIKE '{product}-%'
            """));

        // The mechanism: Mosquitto kept the node's session for its name, and the node picked it up again.
        Assert.True(resumed, "the restarted node should log that it resumed its broker session");
    }

    private Task<long> StoredReadingsAsync(string product) => cluster.ScalarAsync($"""
        SELECT count(*) FROM "Telemetry" t JOIN "Devices" d ON d."Id" = t."DeviceId" WHERE d."Serial" LIKE '{product}-%'
        """);

    private async Task<string> MissingAsync(string product)
    {
        await using var connection = new NpgsqlConnection(cluster.Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"""
            SELECT d."Serial", s FROM "Devices" d CROSS JOIN generate_series(1, {BatchesPerDevice}) s
            WHERE d."Serial" LIKE '{product}-%'
              AND NOT EXISTS (SELECT 1 FROM "TelemetryReceipts" r WHERE r."DeviceId" = d."Id" AND r."Sequence" = s)
            ORDER BY 1, 2
            """, connection);
        var missing = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            missing.Add($"({reader.GetString(0)}, {reader.GetInt32(1)})");
        }

        return $"{missing.Count}: {string.Join(" ", missing.Take(40))}";
    }

    private async Task<IMqttClient> ConnectAsync(DeviceIdentity device)
    {
        while (true)
        {
            var (client, outcome) = await BrokerDevice.TryConnectAsync(cluster, device);
            if (outcome == "Success")
            {
                return client;
            }

            client.Dispose();
            output.WriteLine($"{device.Serial} could not connect ({outcome}); trying again");
            await Task.Delay(200);
        }
    }

    /// <summary>The agent's rule: a batch counts as sent only once the broker acknowledged it; until then it is sent
    /// again, on a new connection if the old one broke.</summary>
    private async Task<IMqttClient> PublishUntilAcknowledgedAsync(IMqttClient client, DeviceIdentity device, string topic, byte[] payload)
    {
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await client.PublishAsync(message);
                if (result.IsSuccess)
                {
                    return client;
                }

                Assert.True(attempt < 100, $"{topic}: the broker kept refusing the batch: {result.ReasonCode} {result.ReasonString}");
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Exceptions.MqttClientNotConnectedException or OperationCanceledException)
            {
                Assert.True(attempt < 100, $"{topic}: could not publish: {ex.Message}");
                client.Dispose();
                client = await ConnectAsync(device);
            }
        }
    }

    private static async Task<long> HandledBatchesAsync(RunningHub node)
    {
        using var client = node.Admin();
        var match = HandledMetric().Match(await client.GetStringAsync("/metrics"));
        return match.Success ? (long)double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex(@"(?m)^fleet_telemetry_batches_handled_total ([0-9.e+]+)")]
    private static partial Regex HandledMetric();
}
