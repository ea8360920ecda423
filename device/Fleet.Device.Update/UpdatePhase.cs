namespace Fleet.Device.Update;

/// <summary>The persisted update states of DESIGN.md. Reported to the hub as the matching
/// <see cref="Fleet.Protocol.Messages.UpdateStages"/>.</summary>
public enum UpdatePhase
{
    Idle,
    Offered,
    Downloading,
    Staged,
    Activating,
    Trial,
    Committed,
    RolledBack,
    Failed,
}
