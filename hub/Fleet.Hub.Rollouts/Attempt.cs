namespace Fleet.Hub.Rollouts;

/// <summary>One try to move one device to one firmware. <see cref="LastProgressAt"/> moves with every update
/// event, so a slow but live download is not timed out.</summary>
public sealed record Attempt(
    string Serial,
    string FirmwareUuid,
    AttemptState State,
    DateTimeOffset StartedAt,
    DateTimeOffset LastProgressAt,
    string? Reason = null,
    AttemptFailure? Failure = null)
{
    public bool IsFailure => State is AttemptState.Failed or AttemptState.RolledBack or AttemptState.TimedOut;
}
