namespace Fleet.Hub.Telemetry;

/// <summary>One telemetry batch already stored: (device, sequence) is the key, so a batch delivered twice (QoS 1),
/// possibly to two hub nodes at once, or out of order through a shared subscription, is stored exactly once.</summary>
internal sealed class TelemetryReceipt
{
    public int DeviceId { get; set; }
    public long Sequence { get; set; }
}
