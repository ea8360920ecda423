namespace Fleet.Hub.Rollouts;

/// <summary>Pacing rules of a group. The failure threshold applies once <see cref="MinimumFinished"/> attempts of
/// the current release have finished, over at most the last <see cref="FailureWindow"/> of them.</summary>
public sealed record RolloutPolicy(
    int MaxConcurrent,
    TimeSpan InFlightTimeout,
    int FailureThresholdPercent,
    int PenaltyBoxAfterFailures,
    TimeSpan PenaltyBoxDuration,
    int FailureWindow = 20,
    int MinimumFinished = 1)
{
    public static RolloutPolicy Default { get; } = new(
        MaxConcurrent: 10,
        InFlightTimeout: TimeSpan.FromMinutes(30),
        FailureThresholdPercent: 50,
        PenaltyBoxAfterFailures: 2,
        PenaltyBoxDuration: TimeSpan.FromMinutes(30));
}
