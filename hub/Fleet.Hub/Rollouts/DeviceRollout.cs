namespace Fleet.Hub.Rollouts;

/// <summary>One targeted device in a rollout. <see cref="Status"/> is one of <see cref="DeviceRolloutStatus"/>;
/// <see cref="Stage"/> and <see cref="Progress"/> (0..1) come from the device's latest update event. A soaking device
/// has <see cref="SoakUntil"/> and <see cref="SoakRemainingSeconds"/> (0 once due: decided on the next pass), and
/// <see cref="SoakNote"/> when the soak is not counting down (offline). <see cref="Failure"/> is the named
/// <see cref="AttemptFailure"/> of a failed latest attempt (snake_case).</summary>
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
    int ChunksRequested,
    DateTimeOffset? SoakUntil = null,
    double? SoakRemainingSeconds = null,
    string? SoakNote = null,
    string? Failure = null);
