namespace Fleet.Device.Update;

/// <summary>What the journal holds about the update under way. The manifest and its signatures are kept
/// verbatim, with the group the offer came from and its downgrade permit, so after a restart the device re-verifies
/// exactly what it accepted under the same rules. <see cref="Attempts"/> counts the starts of the current step
/// (<see cref="UpdateFlow.MaxAttempts"/>); a journal written before the counter existed reads as 0.</summary>
public sealed record UpdateRecord(
    UpdatePhase Phase,
    string? Uuid = null,
    string? Version = null,
    string? ManifestBase64 = null,
    string? Signatures = null,
    int ChunkCount = 0,
    string? TargetSlot = null,
    string? FromVersion = null,
    string? Reason = null,
    DateTimeOffset? UpdatedAt = null,
    string? Group = null,
    string? PermitBase64 = null,
    int Attempts = 0)
{
    public static UpdateRecord Idle { get; } = new(UpdatePhase.Idle);
}
