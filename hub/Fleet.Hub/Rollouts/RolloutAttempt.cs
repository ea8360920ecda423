namespace Fleet.Hub.Rollouts;

/// <summary>One persisted try to move one device to one firmware (the planner's <see cref="Attempt"/>, plus what the
/// device reported on the way). Written before the update command is sent, so a restarted hub knows what is in flight.</summary>
internal sealed class RolloutAttempt
{
    public long Id { get; set; }

    /// <summary>Null for an update pushed to one device outside any group.</summary>
    public int? DeploymentGroupId { get; set; }
    public required string Serial { get; set; }
    public required string FirmwareUuid { get; set; }
    public required string FirmwareVersion { get; set; }
    public AttemptState State { get; set; }

    /// <summary>The stage of an attempt whose device has reported nothing yet.</summary>
    public const string Offered = "offered";

    /// <summary>The last update stage the device reported (<c>received</c>, <c>downloading</c>, …), or <c>offered</c>.</summary>
    public string Stage { get; set; } = Offered;
    public double? Progress { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset LastProgressAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public string? Reason { get; set; }

    /// <summary>Why it failed, as a named value (null unless <see cref="State"/> is a failure).</summary>
    public AttemptFailure? Failure { get; set; }

    /// <summary>When its soak began (the commit was proven), and when the current soak window ends; null without a soak.</summary>
    public DateTimeOffset? SoakStartedAt { get; set; }
    public DateTimeOffset? SoakUntil { get; set; }

    /// <summary>Times the soak window started over because the device reconnected.</summary>
    public int SoakRestarts { get; set; }

    /// <summary>Why the soak is not counting down right now (e.g. the device is offline); shown, not decided on.</summary>
    public string? SoakNote { get; set; }

    /// <summary>Chunk indexes the device asked for over <c>fw/req</c> (a resumed download asks only for what it lacks).</summary>
    public int ChunksRequested { get; set; }

    public Attempt ToPlanner() => new(Serial, FirmwareUuid, State, StartedAt, LastProgressAt, Reason, Failure);
}
