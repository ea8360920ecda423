using System.Text.Json;
using Fleet.Hub.Devices;
using Fleet.Hub.Storage;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Messages.Validation;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Telemetry;

/// <summary>Stores each valid <c>health</c> summary of a device that is not revoked, one row per summary (a device sends
/// one a minute, at most one a second). An invalid one is dropped and counted by <see cref="DroppedMessages"/>.</summary>
internal sealed class HealthIngest(IDbContextFactory<HubDb> dbs, DroppedMessages dropped, TimeProvider clock) : IInboundHandler
{
    public bool Handles(string kind) => kind == Topics.HealthKind;

    /// <summary>Stored before it returns, so the broker may be told at once (<see cref="Handled.Done"/>).</summary>
    public async Task<Handled> HandleAsync(InboundMessage message, CancellationToken ct)
    {
        if (await dropped.AcceptAsync<HealthSummary>(message, InboundValidator.Check, ct) is not { } h)
        {
            return Handled.Done;
        }

        await using var db = await dbs.CreateDbContextAsync(ct);
        var deviceId = await db.Devices.AsNoTracking().Where(d => d.Serial == message.Serial && !d.Revoked).Select(d => (int?)d.Id).FirstOrDefaultAsync(ct);
        if (deviceId is null)
        {
            // Revoked meanwhile (its connection is being closed): nothing of it is stored, as with telemetry.
            return Handled.Done;
        }

        db.Health.Add(ToRecord(deviceId.Value, clock.GetUtcNow(), h));
        await db.SaveChangesAsync(ct);
        Hosting.HubMetrics.HealthSummariesStored.Inc();
        return Handled.Done;
    }

    internal static HealthRecord ToRecord(int deviceId, DateTimeOffset receivedAt, HealthSummary h) => new()
    {
        DeviceId = deviceId,
        ReceivedAt = receivedAt,
        At = h.At,
        Firmware = h.Firmware,
        WindowSeconds = h.WindowSeconds,
        TankState = h.TankState,
        AlarmSeconds = h.AlarmSeconds,
        FaultSeconds = h.FaultSeconds,
        WaterTemperatureError = h.Control.WaterTemperatureError,
        PhInRange = h.Control.PhInRange,
        OxygenSwing = h.Control.OxygenSwing,
        TurbiditySlope = h.Control.TurbiditySlope,
        Restarts = h.Restarts,
        Reconnects = h.Reconnects,
        MemoryBytes = h.MemoryBytes,
        SensorsJson = JsonSerializer.Serialize(h.Sensors, HealthJson.Default.IReadOnlyListSensorHealth),
        UnhealthySensors = h.Sensors.Count(s => s.State != HealthStates.Ok),
    };

    internal static HealthSummary ToSummary(HealthRecord r) => new(
        r.At, r.Firmware, r.WindowSeconds,
        JsonSerializer.Deserialize(r.SensorsJson, HealthJson.Default.IReadOnlyListSensorHealth) ?? [],
        r.TankState, r.AlarmSeconds, r.FaultSeconds,
        new ControlQuality(r.WaterTemperatureError, r.PhInRange, r.OxygenSwing, r.TurbiditySlope),
        r.Restarts, r.Reconnects, r.MemoryBytes);
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyList<SensorHealth>))]
internal sealed partial class HealthJson : System.Text.Json.Serialization.JsonSerializerContext;
