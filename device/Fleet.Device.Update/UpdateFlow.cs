using Fleet.Protocol.Messages;

namespace Fleet.Device.Update;

/// <summary>One phase of the device's update flow: the <paramref name="Step"/> it runs, where the journal goes when
/// that step succeeds or fails, and the update stage reported to the hub when the flow reaches this phase.
/// <paramref name="Via"/>: the phase the step writes before its work, when it has one (the journal says downloading
/// before the first chunk is fetched, activating before boot.json is touched).
/// <paramref name="CountsAttempts"/>: every start of the step is counted in the journal, so a step that keeps killing
/// the agent is given up after <see cref="UpdateFlow.MaxAttempts"/> starts (the trial is counted by fleet-boot instead).
/// <paramref name="Restarts"/>: reaching this phase by a step ends the process, so fleet-boot starts the slot boot.json
/// names. <paramref name="RepeatAtStart"/>: a final outcome said again at every start, since its event may have died
/// with the previous process (the hub ignores repeats).</summary>
public sealed record FlowPhase(
    UpdatePhase Phase,
    UpdateStep Step,
    UpdatePhase? OnSuccess,
    UpdatePhase? OnFailure,
    string? Reports,
    bool Busy = false,
    bool Cancellable = false,
    bool CountsAttempts = false,
    bool Restarts = false,
    bool RepeatAtStart = false,
    UpdatePhase? Via = null)
{
    public bool IsFinal => Step == UpdateStep.None && Phase != UpdatePhase.Idle;
}

/// <summary>The device's update flow as one table, in the manner of the Mender client's state machine: the agent
/// reads the journal, runs the step of its phase, moves to the phase the table names for success or failure (written
/// before anything is reported), reports that phase's stage, and goes on until a phase without a step.
/// <see cref="UpdateTransitions"/> guards every journal write against this table and the commands (offer, cancel).
/// A soak is decided by the hub after <c>committed</c>; the device has no soak phase of its own.</summary>
public static class UpdateFlow
{
    /// <summary>How many times a counted step (download and stage, activate) may be started for one update before it is
    /// given up as a crash loop: the agent died, lost power or was stopped that many times without finishing it.</summary>
    public const int MaxAttempts = 5;

    private static readonly FlowPhase[] Table =
    [
        new(UpdatePhase.Idle, UpdateStep.None, null, null, null),
        new(UpdatePhase.Offered, UpdateStep.Download, UpdatePhase.Staged, UpdatePhase.Failed, UpdateStages.Received, Busy: true, Cancellable: true, CountsAttempts: true, Via: UpdatePhase.Downloading),
        new(UpdatePhase.Downloading, UpdateStep.Download, UpdatePhase.Staged, UpdatePhase.Failed, UpdateStages.Downloading, Busy: true, Cancellable: true, CountsAttempts: true, Via: UpdatePhase.Downloading),
        new(UpdatePhase.Staged, UpdateStep.Activate, UpdatePhase.Trial, UpdatePhase.Failed, UpdateStages.Staged, Busy: true, Cancellable: true, CountsAttempts: true, Via: UpdatePhase.Activating),
        new(UpdatePhase.Activating, UpdateStep.Activate, UpdatePhase.Trial, UpdatePhase.Failed, null, Busy: true, CountsAttempts: true, Via: UpdatePhase.Activating),
        new(UpdatePhase.Trial, UpdateStep.HealthCheck, UpdatePhase.Committed, UpdatePhase.RolledBack, UpdateStages.Rebooting, Busy: true, Restarts: true),
        new(UpdatePhase.Committed, UpdateStep.None, null, null, UpdateStages.Committed, RepeatAtStart: true),
        new(UpdatePhase.RolledBack, UpdateStep.None, null, null, UpdateStages.RolledBack, Restarts: true, RepeatAtStart: true),
        new(UpdatePhase.Failed, UpdateStep.None, null, null, UpdateStages.Failed),
    ];

    public static IReadOnlyList<FlowPhase> Phases => Table;

    public static FlowPhase Of(UpdatePhase phase) => Table[(int)phase].Phase == phase
        ? Table[(int)phase]
        : Table.Single(p => p.Phase == phase);

    /// <summary>Phases in which an update is under way and a new offer must wait (or cancel it first).</summary>
    public static bool IsBusy(UpdatePhase phase) => Of(phase).Busy;

    /// <summary>Phases a cancel-update may stop: nothing has touched the boot state yet.</summary>
    public static bool IsCancellable(UpdatePhase phase) => Of(phase).Cancellable;
}
