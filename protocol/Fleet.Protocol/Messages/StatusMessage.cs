namespace Fleet.Protocol.Messages;

/// <summary>Retained on <c>status</c>. The last will is the same record with <c>Online = false</c>.</summary>
public sealed record StatusMessage(
    bool Online,
    FirmwareIdentity? Firmware,
    string? ActiveSlot,
    string? TankState,
    long UptimeSeconds,
    DateTimeOffset Timestamp,
    TrustVersions? Trust = null)
{
    public static StatusMessage Offline(DateTimeOffset now) => new(false, null, null, null, 0, now);
}
