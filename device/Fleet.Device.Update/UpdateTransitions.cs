namespace Fleet.Device.Update;

/// <summary>The update state machine as a table (Mender-style): a phase may only move to the phases listed
/// for it. The journal refuses anything else, so a bug or a replayed command cannot skip verification.</summary>
public static class UpdateTransitions
{
    private static readonly Dictionary<UpdatePhase, UpdatePhase[]> Allowed = new()
    {
        [UpdatePhase.Idle] = [UpdatePhase.Offered, UpdatePhase.Failed], // Failed: an offer refused on arrival
        [UpdatePhase.Offered] = [UpdatePhase.Downloading, UpdatePhase.Failed, UpdatePhase.Idle],
        [UpdatePhase.Downloading] = [UpdatePhase.Staged, UpdatePhase.Failed, UpdatePhase.Idle],
        [UpdatePhase.Staged] = [UpdatePhase.Activating, UpdatePhase.Failed, UpdatePhase.Idle],
        [UpdatePhase.Activating] = [UpdatePhase.Trial, UpdatePhase.Failed, UpdatePhase.RolledBack],
        [UpdatePhase.Trial] = [UpdatePhase.Committed, UpdatePhase.RolledBack],
        [UpdatePhase.Committed] = [UpdatePhase.Offered, UpdatePhase.Idle, UpdatePhase.Failed],
        [UpdatePhase.RolledBack] = [UpdatePhase.Offered, UpdatePhase.Idle, UpdatePhase.Failed],
        [UpdatePhase.Failed] = [UpdatePhase.Offered, UpdatePhase.Idle],
    };

    public static bool IsAllowed(UpdatePhase from, UpdatePhase to) => Allowed[from].Contains(to);

    /// <summary>Phases in which an update is under way and a new offer must wait (or cancel it first).</summary>
    public static bool IsBusy(UpdatePhase phase) =>
        phase is UpdatePhase.Offered or UpdatePhase.Downloading or UpdatePhase.Staged or UpdatePhase.Activating or UpdatePhase.Trial;

    /// <summary>Phases a cancel-update may stop: nothing has touched the boot state yet.</summary>
    public static bool IsCancellable(UpdatePhase phase) =>
        phase is UpdatePhase.Offered or UpdatePhase.Downloading or UpdatePhase.Staged;
}
