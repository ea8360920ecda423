using System.Text;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace Fleet.Hub.Tests.Broker;

/// <summary>A hostile or buggy tank sends batches that break the shape of the protocol between another tank's good
/// batches: the bad ones are dropped, counted and noted on the sender's page, and every good reading is stored.</summary>
public abstract class HostileTelemetryTests(HubFixture fixture)
{
    public sealed class OnSqlite(SqliteHub hub) : HostileTelemetryTests(hub), IClassFixture<SqliteHub>;

    public sealed class OnPostgres(PostgresHub hub) : HostileTelemetryTests(hub), IClassFixture<PostgresHub>;

    private RunningHub Hub => fixture.Hub;

    [Fact]
    public async Task Bad_batches_from_one_device_never_cost_another_device_its_readings()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var good = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        var hostile = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        using var goodClient = await MqttDevice.ConnectAsync(Hub, good);
        using var hostileClient = await MqttDevice.ConnectAsync(Hub, hostile);
        var now = DateTimeOffset.UtcNow;
        var bad = new[]
        {
            "{\"sequence\":7}",
            $"{{\"sequence\":8,\"readings\":[{{\"sensor\":null,\"value\":1,\"unit\":\"C\",\"ts\":\"{now:O}\"}}]}}",
            $"{{\"sequence\":9,\"readings\":[{{\"sensor\":\"ph\",\"value\":1,\"unit\":\"pH\",\"ts\":\"0001-01-01T00:00:00Z\"}}]}}",
            $"{{\"sequence\":10,\"readings\":[{{\"sensor\":\"PH; DROP\",\"value\":1,\"unit\":\"pH\",\"ts\":\"{now:O}\"}}]}}",
            "{\"sequence\":11,\"readings\":[" + string.Join(",", Enumerable.Repeat($"{{\"sensor\":\"ph\",\"value\":1,\"unit\":\"pH\",\"ts\":\"{now:O}\"}}", 1001)) + "]}",
            "not json",
        };
        var droppedBefore = await DroppedAsync();

        for (var seq = 1; seq <= 6; seq++)
        {
            var readings = Enumerable.Range(0, 10).Select(i => new Reading(SensorNames.Ph, 7 + i * 0.01, "pH", now.AddSeconds(-60 + seq * 10 + i))).ToList();
            await Publish(goodClient, Topics.Telemetry(good.Serial), FleetJson.Serialize(new TelemetryBatch(seq, readings)));
            await Publish(hostileClient, Topics.Telemetry(hostile.Serial), Encoding.UTF8.GetBytes(bad[seq - 1]));
        }

        await Eventually.Until(async () => (await HubApi.GetAsync(Hub, $"/api/v1/devices/{good.Serial}/telemetry")).GetArrayLength() == 60, "all 60 good readings to be stored");
        await Eventually.Until(async () => await DroppedAsync() - droppedBefore >= bad.Length, "the 6 bad batches to be counted");
        Assert.Equal(0, (await HubApi.GetAsync(Hub, $"/api/v1/devices/{hostile.Serial}/telemetry")).GetArrayLength());
        await Eventually.Until(async () => (await HubApi.GetAsync(Hub, $"/api/v1/devices/{hostile.Serial}/events")).EnumerateArray()
            .Any(e => e.GetProperty("kind").GetString() == EventKinds.Protocol && e.GetProperty("name").GetString() == "missing_field"), "a protocol event on the sender's page");
    }

    private static Task Publish(IMqttClient client, string topic, byte[] payload) =>
        client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

    private async Task<double> DroppedAsync()
    {
        using var viewer = Hub.Admin();
        var metrics = await viewer.GetStringAsync("/metrics");
        return metrics.Split('\n')
            .Where(l => l.StartsWith("fleet_mqtt_messages_dropped_total{", StringComparison.Ordinal) && !l.Contains("duplicate", StringComparison.Ordinal))
            .Sum(l => double.Parse(l.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
