namespace Fleet.Hub.Telemetry;

internal sealed class TelemetryReading
{
    public long Id { get; set; }
    public int DeviceId { get; set; }
    public required string Sensor { get; set; }
    public double Value { get; set; }
    public required string Unit { get; set; }
    public DateTimeOffset Ts { get; set; }
}
