namespace Fleet.Hub.Rollouts;

/// <summary>Where a group's rollout stands: the facade the API, the CLI and the web UI read. Stable: add fields, never
/// rename. <see cref="Counts"/> covers the devices the group targets now; <see cref="Attempts"/> is the history of the
/// current release, oldest first.</summary>
internal sealed record RolloutProgress(
    string Group,
    string FirmwareUuid,
    string FirmwareVersion,
    bool Paused,
    string? PauseReason,
    RolloutCounts Counts,
    IReadOnlyList<DeviceRollout> Devices,
    IReadOnlyList<AttemptView> Attempts,
    int SoakSeconds = 0,
    string? Quarantine = null,
    string? Window = null,
    bool? WindowOpen = null,
    DateTimeOffset? WindowOpensAt = null);
