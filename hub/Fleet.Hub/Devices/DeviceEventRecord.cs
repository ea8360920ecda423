namespace Fleet.Hub.Devices;

/// <summary>An event a device reported (tank transition, sensor fault, update stage), kept for history and rollouts.</summary>
internal sealed class DeviceEventRecord
{
    public long Id { get; set; }
    public int DeviceId { get; set; }
    public required string Kind { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset Ts { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public string? Detail { get; set; }
    public string? FirmwareUuid { get; set; }
    public string? FirmwareVersion { get; set; }
    public string? Reason { get; set; }
    public double? Progress { get; set; }
}
