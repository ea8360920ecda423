using System.Text;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace Fleet.Hub.Tests.Broker;

/// <summary>A tank's health summaries are stored and served by the API; one that breaks the protocol's rules is
/// dropped, counted and noted on the tank's page, and never stored.</summary>
public abstract class HealthStorageTests(HubFixture fixture)
{
    public sealed class OnSqlite(SqliteHub hub) : HealthStorageTests(hub), IClassFixture<SqliteHub>;

    public sealed class OnPostgres(PostgresHub hub) : HealthStorageTests(hub), IClassFixture<PostgresHub>;

    private RunningHub Hub => fixture.Hub;

    [Fact]
    public async Task A_health_summary_is_stored_and_served_and_an_invalid_one_is_dropped_and_counted()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var device = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        using var client = await MqttDevice.ConnectAsync(Hub, device);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var firmware = Guid.NewGuid().ToString("D");
        var sent = new HealthSummary(at, firmware, 21_600,
            [new SensorHealth(SensorNames.WaterTemperature, HealthStates.Stuck, "the same value 25.125 for 60 samples"), new SensorHealth(SensorNames.Ph, HealthStates.Ok)],
            "fault", 120.5, 3600, new ControlQuality(1.75, 0.875, 3.25, -12.5), 4, 2, 52_428_800);
        var droppedBefore = await HubApi.DroppedAsync(Hub, "bad_value");

        var invalid = Encoding.UTF8.GetString(FleetJson.Serialize(sent with { At = at.AddSeconds(1) })).Replace("\"phInRange\":0.875", "\"phInRange\":1.5", StringComparison.Ordinal);
        Assert.Contains("1.5", invalid);
        await Publish(client, Topics.Health(device.Serial), Encoding.UTF8.GetBytes(invalid));
        await Publish(client, Topics.Health(device.Serial), FleetJson.Serialize(sent));

        await Eventually.Until(async () => (await HubApi.GetAsync(Hub, $"/api/v1/devices/{device.Serial}/health")).GetArrayLength() == 1, "the valid summary to be stored");
        await Eventually.Until(async () => await HubApi.DroppedAsync(Hub, "bad_value") > droppedBefore, "the invalid summary to be counted");
        await Eventually.Until(async () => (await HubApi.ProtocolEventsAsync(Hub, device.Serial)).Contains("bad_value"), "a protocol event on the tank's page");

        var stored = (await HubApi.GetAsync(Hub, $"/api/v1/devices/{device.Serial}/health?limit=10"))[0];
        Assert.True(stored.GetProperty("receivedAt").GetDateTimeOffset() > at.AddMinutes(-1));
        var s = stored.GetProperty("summary");
        Assert.Equal(at, s.GetProperty("at").GetDateTimeOffset());
        Assert.Equal(firmware, s.GetProperty("firmware").GetString());
        Assert.Equal(21_600, s.GetProperty("windowSeconds").GetDouble());
        Assert.Equal("fault", s.GetProperty("tankState").GetString());
        Assert.Equal(120.5, s.GetProperty("alarmSeconds").GetDouble());
        Assert.Equal(3600, s.GetProperty("faultSeconds").GetDouble());
        var control = s.GetProperty("control");
        Assert.Equal(1.75, control.GetProperty("waterTemperatureError").GetDouble());
        Assert.Equal(0.875, control.GetProperty("phInRange").GetDouble());
        Assert.Equal(3.25, control.GetProperty("oxygenSwing").GetDouble());
        Assert.Equal(-12.5, control.GetProperty("turbiditySlope").GetDouble());
        Assert.Equal(4, s.GetProperty("restarts").GetInt64());
        Assert.Equal(2, s.GetProperty("reconnects").GetInt64());
        Assert.Equal(52_428_800, s.GetProperty("memoryBytes").GetInt64());
        var sensors = s.GetProperty("sensors").EnumerateArray().Select(e => (e.GetProperty("sensor").GetString(), e.GetProperty("state").GetString(),
            e.TryGetProperty("detail", out var d) ? d.GetString() : null)).ToList();
        Assert.Equal([(SensorNames.WaterTemperature, HealthStates.Stuck, "the same value 25.125 for 60 samples"), (SensorNames.Ph, HealthStates.Ok, null)], sensors);

        using var api = Hub.Client(Hub.AdminToken);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/devices/{Unique.Name("nobody")}/health")).StatusCode);
    }

    private static Task Publish(IMqttClient client, string topic, byte[] payload) =>
        client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
}
