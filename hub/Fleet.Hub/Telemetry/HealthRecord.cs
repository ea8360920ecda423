namespace Fleet.Hub.Telemetry;

/// <summary>One stored <see cref="Fleet.Protocol.Messages.HealthSummary"/>. The figures a gate compares are columns;
/// the sensor verdicts are kept as the JSON the device sent (validated, at most 32 entries). <see cref="ReceivedAt"/> is
/// the hub's clock: retention and time ranges use it, never the device's.</summary>
internal sealed class HealthRecord
{
    public long Id { get; set; }
    public int DeviceId { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public DateTimeOffset At { get; set; }
    public string? Firmware { get; set; }
    public double WindowSeconds { get; set; }
    public required string TankState { get; set; }
    public double AlarmSeconds { get; set; }
    public double FaultSeconds { get; set; }
    public double? WaterTemperatureError { get; set; }
    public double? PhInRange { get; set; }
    public double? OxygenSwing { get; set; }
    public double? TurbiditySlope { get; set; }
    public long Restarts { get; set; }
    public long Reconnects { get; set; }
    public long MemoryBytes { get; set; }
    public required string SensorsJson { get; set; }

    /// <summary>Sensors whose verdict is not <c>ok</c> (a gate metric without parsing the JSON).</summary>
    public int UnhealthySensors { get; set; }
}
