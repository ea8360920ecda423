namespace Fleet.Hub.Accounts;

/// <summary>A bearer token, stored only as its SHA-256 hash: a leaked database does not leak usable tokens.</summary>
internal sealed class ApiToken
{
    public int Id { get; set; }
    public int AccountId { get; set; }
    public Account? Account { get; set; }
    public required string Name { get; set; }
    public required string Hash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
