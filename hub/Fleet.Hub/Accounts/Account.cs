namespace Fleet.Hub.Accounts;

/// <summary>A person or a machine that uses the API. Roles nest: admin ⊃ manage ⊃ view.</summary>
internal sealed class Account
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string Role { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public List<ApiToken> Tokens { get; set; } = [];
}
