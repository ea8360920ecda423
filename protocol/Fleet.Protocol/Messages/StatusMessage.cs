namespace Fleet.Protocol.Messages;

/// <summary>Retained on <c>status</c>. The last will is the same record with <c>Online = false</c>.
/// <see cref="HubAnchor"/> is the fingerprint (<see cref="Tls.HubAnchors.Fingerprint"/>) of the TLS anchor the device pins
/// for the hub, so the hub knows whether to hand it a new one.</summary>
public sealed record StatusMessage(
    bool Online,
    FirmwareIdentity? Firmware,
    string? ActiveSlot,
    string? TankState,
    long UptimeSeconds,
    DateTimeOffset Timestamp,
    TrustVersions? Trust = null,
    string? HubAnchor = null)
{
    public static StatusMessage Offline(DateTimeOffset now) => new(false, null, null, null, 0, now);
}
