namespace Fleet.Device.Update;

/// <summary>The guard on every journal write: a phase may only move to the phases listed for it. The journal refuses
/// anything else, so a bug or a replayed command cannot skip verification. It holds the moves of
/// <see cref="UpdateFlow"/> (each step's success and failure, and the phases a step writes on its way) and those of
/// the commands and the start: an offer, a refusal on arrival, a cancel, and a start that finds the trial over.</summary>
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
}
