namespace Fleet.Hub.Rollouts;

/// <summary>One targeted device in a rollout. <see cref="Status"/> is one of <see cref="DeviceRolloutStatus"/>;
/// <see cref="Stage"/> and <see cref="Progress"/> (0..1) come from the device's latest update event.</summary>
internal sealed record DeviceRollout(
    string Serial,
    string Status,
    string? Stage,
    double? Progress,
    string? CurrentVersion,
    bool Online,
    string? Reason,
    DateTimeOffset? PenaltyUntil,
    int Attempts,
    int ChunksRequested);
