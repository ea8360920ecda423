namespace Fleet.Hub.Audit;

/// <summary>Append-only: the hub never updates or deletes an entry.</summary>
internal sealed class AuditEntry
{
    public long Id { get; set; }
    public required string Actor { get; set; }

    /// <summary>The name of the API token the actor used; null for the web UI and the hub itself.</summary>
    public string? Token { get; set; }
    public required string Action { get; set; }
    public required string Subject { get; set; }
    public DateTimeOffset Time { get; set; }
    public string? Details { get; set; }
}
