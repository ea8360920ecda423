namespace Fleet.Hub.Rollouts;

/// <summary>A registered device as the planner sees it. <see cref="Platform"/> and <see cref="Architecture"/>
/// come from the firmware the device reports running (its slot manifest).</summary>
public sealed record DeviceSnapshot(
    string Serial,
    string Product,
    string? Platform,
    string? Architecture,
    IReadOnlyList<string> Tags,
    string? FirmwareUuid,
    string? FirmwareVersion,
    bool Online,
    bool Revoked,
    DateTimeOffset? PenaltyUntil);
