using System.Globalization;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace Fleet.Hub.Tests.Broker;

/// <summary>Readings are written in bulk without EF's change tracker (COPY on PostgreSQL, a prepared INSERT on SQLite):
/// what the API reads back must be exactly what the device sent, and the end-to-end lag of each is measured.</summary>
public abstract class TelemetryStorageTests(HubFixture fixture)
{
    public sealed class OnSqlite(SqliteHub hub) : TelemetryStorageTests(hub), IClassFixture<SqliteHub>;

    public sealed class OnPostgres(PostgresHub hub) : TelemetryStorageTests(hub), IClassFixture<PostgresHub>;

    private RunningHub Hub => fixture.Hub;

    [Fact]
    public async Task Stored_readings_read_back_with_the_sensor_value_unit_and_timestamp_the_device_sent()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var device = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        using var client = await MqttDevice.ConnectAsync(Hub, device);
        // Whole milliseconds: the stored form (EF's DateTimeOffsetToBinaryConverter) keeps 0.1 ms, on every write path.
        var t0 = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 30_000);
        var sent = Enumerable.Range(0, 50)
            .Select(i => new Reading(i % 2 == 0 ? SensorNames.WaterTemperature : SensorNames.Ph, 20 + i * 0.125, i % 2 == 0 ? "C" : "pH", t0.AddMilliseconds(i * 37.5)))
            .ToList();
        var lagBefore = await LagCountAsync();

        foreach (var (batch, seq) in sent.Chunk(10).Select((b, i) => (b, i + 1)))
        {
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Telemetry(device.Serial))
                .WithPayload(FleetJson.Serialize(new TelemetryBatch(seq, batch))).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        }

        await Eventually.Until(async () => (await HubApi.GetAsync(Hub, $"/api/v1/devices/{device.Serial}/telemetry")).GetArrayLength() == sent.Count, "all 50 readings to be stored");
        var stored = (await HubApi.GetAsync(Hub, $"/api/v1/devices/{device.Serial}/telemetry")).EnumerateArray()
            .Select(r => new Reading(r.GetProperty("sensor").GetString()!, r.GetProperty("value").GetDouble(), r.GetProperty("unit").GetString()!, r.GetProperty("ts").GetDateTimeOffset()))
            .OrderBy(r => r.Ts).ToList();
        Assert.Equal(sent.Select(r => (r.Sensor, r.Value, r.Unit, r.Ts.UtcTicks)), stored.Select(r => (r.Sensor, r.Value, r.Unit, r.Ts.UtcTicks)));

        // Every stored reading was observed in the lag histogram, about 30 s old.
        Assert.True(await LagCountAsync() - lagBefore >= sent.Count);
    }

    private async Task<double> LagCountAsync()
    {
        using var viewer = Hub.Admin();
        var metrics = await viewer.GetStringAsync("/metrics");
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("fleet_telemetry_ingest_lag_seconds_count ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
    }
}
