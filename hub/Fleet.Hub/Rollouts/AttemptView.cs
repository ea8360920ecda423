namespace Fleet.Hub.Rollouts;

/// <summary>One attempt as reported: <see cref="State"/> is the snake_case <see cref="AttemptState"/>.</summary>
internal sealed record AttemptView(
    long Id,
    string Serial,
    string FirmwareVersion,
    string State,
    string Stage,
    double? Progress,
    DateTimeOffset StartedAt,
    DateTimeOffset LastProgressAt,
    DateTimeOffset? FinishedAt,
    string? Reason,
    int ChunksRequested,
    string? Failure = null,
    DateTimeOffset? SoakStartedAt = null,
    DateTimeOffset? SoakUntil = null)
{
    public static AttemptView Of(RolloutAttempt a) => new(a.Id, a.Serial, a.FirmwareVersion, Name(a.State), a.Stage, a.Progress,
        a.StartedAt, a.LastProgressAt, a.FinishedAt, a.Reason, a.ChunksRequested,
        a.Failure is { } f ? AttemptFailures.Name(f) : null, a.SoakStartedAt, a.SoakUntil);

    public static string Name(AttemptState state) => state switch
    {
        AttemptState.InFlight => "in_flight",
        AttemptState.RolledBack => "rolled_back",
        AttemptState.TimedOut => "timed_out",
        _ => state.ToString().ToLowerInvariant(),
    };
}
