namespace Fleet.Hub.Firmware;

/// <summary>The current <c>targets.json</c>, <c>snapshot.json</c> or <c>timestamp.json</c> of a product, exact bytes:
/// one row per product and role. Only the current version matters for these roles (TUF keeps no history of them).</summary>
internal sealed class TrustRoleRecord
{
    public int Id { get; set; }
    public int ProductId { get; set; }

    /// <summary><see cref="Fleet.Protocol.Trust.TufRoles.Targets"/>, <c>Snapshot</c> or <c>Timestamp</c>.</summary>
    public required string Role { get; set; }
    public long Version { get; set; }
    public required byte[] Json { get; set; }
    public DateTimeOffset Expires { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
