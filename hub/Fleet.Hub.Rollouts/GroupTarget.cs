namespace Fleet.Hub.Rollouts;

/// <summary>A deployment group as the planner sees it: what it ships and to whom.
/// <see cref="VersionRequirement"/> is an npm-style SemVer range on the device's current version
/// (e.g. <c>&gt;=1.0.0 &lt;2.0.0</c>, <c>^1.2</c>); empty means any version. <see cref="Window"/>, when set, is the
/// only time of day new offers start. A <see cref="Quarantined"/> release is offered to no device.</summary>
public sealed record GroupTarget(
    string Name,
    string Product,
    string FirmwareUuid,
    string FirmwareVersion,
    string Platform,
    string Architecture,
    IReadOnlyList<string> Tags,
    TagMatch TagMatch,
    string? VersionRequirement,
    bool Paused,
    MaintenanceWindow? Window = null,
    bool Quarantined = false);
