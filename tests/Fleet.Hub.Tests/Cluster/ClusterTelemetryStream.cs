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

/// <summary>Devices streaming telemetry into a <see cref="HubCluster"/> through Mosquitto, each reading's value
/// unique within its device, and the counts that show whether every reading was stored exactly once.</summary>
public sealed partial class ClusterTelemetryStream(HubCluster cluster, ITestOutputHelper output, string product, int devices, int batchesPerDevice)
{
    public const int ReadingsPerBatch = 3;

    private int _acknowledged;

    public int Batches => devices * batchesPerDevice;

    public int Expected => Batches * ReadingsPerBatch;

    public int Acknowledged => Volatile.Read(ref _acknowledged);

    /// <summary>Each device publishes its batches one after another at QoS 1 and, like the agent, sends a batch again
    /// until the broker acknowledges it; after its first batch it waits for <paramref name="warmedUp"/>.</summary>
    public async Task<Task> StartAsync(Task warmedUp)
    {
        var identities = await Task.WhenAll(Enumerable.Range(0, devices).Select(i => DeviceIdentity.ProvisionAsync(cluster.Nodes[0], $"{product}-{i:00}", product)));
        return Task.WhenAll(identities.Select(device => Task.Run(async () =>
        {
            var client = await ConnectAsync(device);
            try
            {
                for (var seq = 1; seq <= batchesPerDevice; seq++)
                {
                    var readings = Enumerable.Range(0, ReadingsPerBatch)
                        .Select(r => new Reading(SensorNames.WaterTemperature, seq * 10 + r, "C", DateTimeOffset.UtcNow)).ToList();
                    client = await PublishUntilAcknowledgedAsync(client, device, Topics.Telemetry(device.Serial), FleetJson.Serialize(new TelemetryBatch(seq, readings)));
                    Interlocked.Increment(ref _acknowledged);
                    if (seq == 1)
                    {
                        await warmedUp;
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
    }

    /// <summary>Starts the stream and returns once every node has stored some of the devices' first batches: both are
    /// storing before the rest of the stream is let go.</summary>
    public async Task<Task> StartOnEveryNodeAsync()
    {
        var handledBefore = await Task.WhenAll(cluster.Nodes.Select(HandledBatchesAsync));
        var warmedUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var streaming = await StartAsync(warmedUp.Task);
        await Eventually.Until(async () => (await Task.WhenAll(cluster.Nodes.Select(HandledBatchesAsync))).Zip(handledBefore).All(p => p.First > p.Second),
            "every node to store some of the devices' first batches");
        warmedUp.SetResult();
        return streaming;
    }

    /// <summary>Waits for every reading, then checks exactly once: one receipt per (device, sequence), one row per
    /// (device, value), and nothing more.</summary>
    public async Task AssertStoredExactlyOnceAsync(string lostWith)
    {
        try
        {
            await Eventually.Until(async () => await StoredReadingsAsync() >= Expected, $"all {Expected} readings stored", TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"readings lost {lostWith}: {await StoredReadingsAsync()} of {Expected} stored; missing (device, sequence): {await MissingAsync()}");
        }

        Assert.Equal(Expected, await StoredReadingsAsync());
        Assert.Equal(Expected, await cluster.ScalarAsync($"""
            SELECT count(DISTINCT (t."DeviceId", t."Value")) FROM "Telemetry" t JOIN "Devices" d ON d."Id" = t."DeviceId" WHERE d."Serial" LIKE '{product}-%'
            """));
        Assert.Equal(Batches, await cluster.ScalarAsync($"""
            SELECT count(*) FROM "TelemetryReceipts" r JOIN "Devices" d ON d."Id" = r."DeviceId" WHERE d."Serial" LIKE '{product}-%'
            """));
    }

    public Task<long> StoredReadingsAsync() => cluster.ScalarAsync($"""
        SELECT count(*) FROM "Telemetry" t JOIN "Devices" d ON d."Id" = t."DeviceId" WHERE d."Serial" LIKE '{product}-%'
        """);

    private async Task<string> MissingAsync()
    {
        await using var connection = new NpgsqlConnection(cluster.Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"""
            SELECT d."Serial", s FROM "Devices" d CROSS JOIN generate_series(1, {batchesPerDevice}) s
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

    public static async Task<long> HandledBatchesAsync(RunningHub node)
    {
        using var client = node.Admin();
        var match = HandledMetric().Match(await client.GetStringAsync("/metrics"));
        return match.Success ? (long)double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex(@"(?m)^fleet_telemetry_batches_handled_total ([0-9.e+]+)")]
    private static partial Regex HandledMetric();
}
