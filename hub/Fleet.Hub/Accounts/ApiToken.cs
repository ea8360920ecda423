namespace Fleet.Hub.Accounts;

/// <summary>A named bearer token of a user, stored only as its SHA-256 hash: a leaked database does not leak usable
/// tokens. It works until it expires (<see cref="ExpiresAt"/>; null only when created "never expires") or is revoked.</summary>
internal sealed class ApiToken
{
    public int Id { get; set; }
    public required string UserId { get; set; }
    public HubUser? User { get; set; }
    public required string Name { get; set; }
    public required string Hash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>What lists show instead of the token: the start of its hash, enough to tell tokens apart.</summary>
    public string Fingerprint => "sha256:" + Hash[..12];
}
