namespace Fleet.Hub.Audit;

/// <summary>Append-only: the hub never updates or deletes an entry.</summary>
internal sealed class AuditEntry
{
    public long Id { get; set; }
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public required string Subject { get; set; }
    public DateTimeOffset Time { get; set; }
    public string? Details { get; set; }
}
